import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallEngine, CallStatus } from '../../../call/engine';
import { anchor } from '../floating';
import { prejoinViewOf, type PrejoinView } from '../view-model';
import type { PrejoinHandlers } from '../views/prejoin';

export interface PrejoinHost extends ReactiveControllerHost, HTMLElement {
  readonly prejoin: boolean;
  readonly state: CallStatus;
  join(roomId: string): Promise<void>;
  setMicEnabled(on: boolean): Promise<void>;
  setCameraEnabled(on: boolean): Promise<void>;
}

/** Routes every call sound in `root` to the chosen output device, where the browser supports it. */
function applySpeaker(root: ShadowRoot | null, deviceId: string | undefined): void {
  if (!root || deviceId === undefined) return;
  for (const el of root.querySelectorAll<HTMLMediaElement & { sinkId?: string; setSinkId?(id: string): Promise<void> }>('video, audio')) {
    if (el.setSinkId && el.sinkId !== deviceId) void el.setSinkId(deviceId).catch(() => undefined);
  }
}

/**
 * The pre-join screen (`prejoin` attribute): camera preview, live microphone level, mic/camera toggles and a
 * device menu (camera, microphone, speaker) in a Floating UI popover; guidance when access is blocked or no
 * device exists. The preview runs while the widget is idle with `prejoin` set, and stops when a call starts.
 */
export class PrejoinController implements ReactiveController {
  menuOpen = false;
  private previewing: CallEngine | undefined;
  private cleanup: (() => void) | undefined;

  constructor(
    private readonly host: PrejoinHost,
    private readonly engine: () => CallEngine | undefined,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const engine = this.engine();
    const wanted = engine && this.host.prejoin && this.host.state === 'idle' ? engine : undefined;
    if (wanted !== this.previewing) {
      this.previewing?.devices.stopPreview();
      this.previewing = wanted;
      if (!wanted) this.closeMenu(false);
      void wanted?.devices.startPreview();
    }
    applySpeaker(this.host.shadowRoot, engine?.devices.selected.speaker);
  }

  hostDisconnected(): void {
    this.previewing?.devices.stopPreview();
    this.previewing = undefined;
    this.closeMenu(false);
  }

  private async toggleMenu(): Promise<void> {
    if (this.menuOpen) return this.closeMenu(true);
    this.menuOpen = true;
    this.host.requestUpdate();
    await (this.host as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const root = this.host.shadowRoot;
    const button = root?.querySelector<HTMLElement>('[part~="device-settings"]');
    const menu = root?.querySelector<HTMLElement>('[part~="device-menu"]');
    if (!button || !menu || !this.menuOpen) return;
    const cleanup = await anchor(button, menu, { placement: 'top', strategy: 'absolute', offsetPx: 8 });
    if (!this.menuOpen) return cleanup();
    this.cleanup = cleanup;
    menu.querySelector('select')?.focus();
  }

  private closeMenu(restoreFocus: boolean): void {
    this.cleanup?.();
    this.cleanup = undefined;
    if (!this.menuOpen) return;
    this.menuOpen = false;
    this.host.requestUpdate();
    if (restoreFocus) this.host.shadowRoot?.querySelector<HTMLElement>('[part~="device-settings"]')?.focus();
  }

  private readonly onMenuKey = (e: KeyboardEvent) => {
    if (e.key !== 'Escape' || !this.menuOpen) return;
    e.stopPropagation(); // the menu closes, not the launcher panel around it
    this.closeMenu(true);
  };

  /** The screen's data, read from `engine` now. */
  view(engine: CallEngine, room: string | undefined): PrejoinView {
    return prejoinViewOf(engine, this.menuOpen, room);
  }

  /** What the screen's controls do. */
  readonly handlers: PrejoinHandlers = {
    select: (kind, deviceId) => void this.engine()?.devices.select(kind, deviceId),
    retryPreview: () => void this.engine()?.devices.startPreview(),
    setMic: (on) => void this.host.setMicEnabled(on),
    setCamera: (on) => void this.host.setCameraEnabled(on),
    toggleMenu: () => void this.toggleMenu(),
    menuKey: (e) => this.onMenuKey(e),
    join: (roomId) => void this.host.join(roomId),
  };
}
