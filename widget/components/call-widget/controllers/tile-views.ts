import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallEngine, TileView } from '../../../call/engine';

/**
 * What the grid shows right now: each tile's user, source and size in device pixels. A hidden page shows
 * nothing (the server then pauses every remote video).
 */
export function measureTileViews(root: ShadowRoot | null): TileView[] {
  if (document.visibilityState === 'hidden' || !root) return [];
  const dpr = window.devicePixelRatio || 1;
  return [...root.querySelectorAll<HTMLElement>('[part~="tile"]')]
    .map((el) => {
      const rect = el.getBoundingClientRect();
      return { userId: el.dataset.userId ?? '', source: (el.dataset.source ?? 'camera') as 'camera' | 'screen', width: rect.width * dpr, height: rect.height * dpr };
    })
    .filter((v) => v.userId && v.width > 0);
}

/**
 * Tells the engine which tiles are on screen and how big, after every render, on resize and when the page is
 * hidden or shown: the server forwards only what is shown, at the simulcast layer that fits.
 */
export class TileViews implements ReactiveController {
  private resizeObserver: ResizeObserver | undefined;
  private readonly report = () => {
    const engine = this.engine();
    if (engine?.status === 'in-call') engine.setTileViews(measureTileViews(this.host.shadowRoot));
  };

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    private readonly engine: () => CallEngine | undefined,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    document.addEventListener('visibilitychange', this.report);
    this.resizeObserver ??= new ResizeObserver(this.report);
    this.resizeObserver.observe(this.host);
  }

  hostDisconnected(): void {
    document.removeEventListener('visibilitychange', this.report);
    this.resizeObserver?.disconnect();
  }

  hostUpdated(): void {
    this.report();
  }
}
