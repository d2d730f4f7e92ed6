import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { anchor } from '../floating';

export type LauncherPosition = 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';

const PLACEMENT: Record<LauncherPosition, 'top-end' | 'top-start' | 'bottom-end' | 'bottom-start'> = {
  'bottom-right': 'top-end',
  'bottom-left': 'top-start',
  'top-right': 'bottom-end',
  'top-left': 'bottom-start',
};

/**
 * The launcher presentation: a floating call button in a page corner and the panel anchored to it. Floating UI
 * (loaded only when a launcher first opens, so inline widgets never download it) keeps the panel on screen —
 * flip, shift, and shrink to the viewport on small screens. Positioning starts in one place (`open`) and its
 * cleanup always runs on close and on disconnect.
 */
export class LauncherController implements ReactiveController {
  open = false;
  private cleanup: (() => void) | undefined;

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly position: () => LauncherPosition,
  ) {
    host.addController(this);
  }

  /** The host renders `[part~=launcher]` (the corner button) and `[part~=panel]` in its shadow root. */
  private parts(): { button: HTMLElement | null; panel: HTMLElement | null } {
    const root = this.host.shadowRoot;
    return { button: root?.querySelector<HTMLElement>('[part~="launcher"]') ?? null, panel: root?.querySelector<HTMLElement>('[part~="panel"]') ?? null };
  }

  hostDisconnected(): void {
    this.stop();
  }

  toggle(): void {
    if (this.open) this.close();
    else void this.show();
  }

  async show(): Promise<void> {
    if (this.open) return;
    this.open = true;
    this.host.requestUpdate();
    await (this.host as unknown as { updateComplete: Promise<unknown> }).updateComplete;
    const { button, panel } = this.parts();
    if (!button || !panel || !this.open) return;
    const cleanup = await anchor(button, panel, { placement: PLACEMENT[this.position()], strategy: 'fixed', offsetPx: 12, fit: { minWidth: 280, minHeight: 320 } });
    this.stop();
    if (this.open) this.cleanup = cleanup;
    else cleanup();
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.stop();
    this.host.requestUpdate();
    this.parts().button?.focus();
  }

  private stop(): void {
    this.cleanup?.();
    this.cleanup = undefined;
  }
}
