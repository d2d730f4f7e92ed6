import { html, nothing, type ReactiveController, type ReactiveControllerHost, type TemplateResult } from 'lit';
import type { CallEngine, CallStatus, DeviceKind, DeviceOption } from '../../call/engine';
import { anchor } from './floating';
import type { Strings } from './strings';

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

  render(engine: CallEngine, S: Strings, room: string | undefined): TemplateResult {
    const d = engine.devices;
    const level = engine.micEnabled ? Math.round(d.micLevel * 100) : 0;
    const select = (kind: DeviceKind, label: string, options: DeviceOption[]) =>
      html`<label>${label}
        <select part="device-select ${kind}-select" @change=${(e: Event) => void d.select(kind, (e.target as HTMLSelectElement).value)}>
          <option value="" ?selected=${!d.selected[kind]}>${S.systemDefault}</option>
          ${options.map((o) => html`<option value=${o.deviceId} ?selected=${d.selected[kind] === o.deviceId}>${o.label}</option>`)}
        </select></label>`;
    const toggle = (part: string, on: boolean, offLabel: string, onLabel: string, set: (on: boolean) => Promise<void>) =>
      html`<button part="button ${part}" data-kind="toggle" aria-pressed=${String(!on)} @click=${() => void set(!on)}>${on ? offLabel : onLabel}</button>`;
    return html`<section part="prejoin" aria-label=${S.prejoinTitle}>
      ${d.problem
        ? html`<div part="prejoin-problem" class="center">
            <p role="alert">${d.problem.code === 'media_permission_denied' ? S.blockedHelp : S.noDeviceHelp}</p>
            <button part="button retry-preview" data-kind="primary" @click=${() => void d.startPreview()}>${S.tryAgain}</button>
          </div>`
        : html`<div part="preview-tile">
            ${d.preview && engine.cameraEnabled
              ? html`<video part="preview-video" .srcObject=${d.preview} autoplay playsinline .muted=${true} aria-label=${S.cameraPreview}></video>`
              : html`<div class="avatar">${S.cameraIsOff}</div>`}
          </div>`}
      <div class="row">
        ${d.preview
          ? html`<div part="mic-meter" role="meter" aria-label=${S.micLevel} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${level}>
              <span style=${`inline-size: ${level}%`}></span>
            </div>`
          : nothing}
        ${toggle('prejoin-mic', engine.micEnabled, S.muteMic, S.unmuteMic, (on) => this.host.setMicEnabled(on))}
        ${toggle('prejoin-camera', engine.cameraEnabled, S.cameraOff, S.cameraOn, (on) => this.host.setCameraEnabled(on))}
        <button part="button device-settings" aria-haspopup="dialog" aria-expanded=${String(this.menuOpen)} aria-controls="device-menu"
          @click=${() => void this.toggleMenu()} @keydown=${this.onMenuKey}>${S.deviceSettings}</button>
      </div>
      ${this.menuOpen
        ? html`<div part="device-menu" id="device-menu" role="dialog" aria-label=${S.deviceSettings} @keydown=${this.onMenuKey}>
            ${select('camera', S.camera, d.cameras)} ${select('microphone', S.microphone, d.microphones)}
            ${d.speakerSelectable ? select('speaker', S.speaker, d.speakers) : nothing}
          </div>`
        : nothing}
      ${room ? html`<button part="button join" data-kind="primary" @click=${() => void this.host.join(room)}>${S.joinNow}</button>` : nothing}
    </section>`;
  }
}
