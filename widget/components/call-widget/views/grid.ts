import { html, nothing, svg, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RemoteParticipant } from '../../../call/engine';
import type { Strings } from '../strings';

export type Layout = 'grid' | 'speaker';

/** UI-only state of the grid (the element owns it; the engine never sees it). */
export interface GridState {
  layout: Layout;
  page: number;
  pinned: string | undefined;
  /** Most tiles per grid page. */
  pageSize: number;
}

export interface GridHandlers {
  setPage(page: number): void;
  pin(tileKey: string | undefined): void;
  moderate(action: 'mute-mic' | 'mute-camera' | 'remove' | 'to-audience', userId: string): void;
}

/** One tile: a participant's camera, or their screen share. */
export interface Tile {
  key: string;
  userId: string;
  source: 'camera' | 'screen';
  remote: RemoteParticipant;
}

// Inline SVG (no emoji: many systems lack an emoji font, and icons must follow currentColor).
const MIC_OFF_ICON = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M9 5a3 3 0 0 1 6 0v5"/><path d="M15 13.5A3 3 0 0 1 9 11V9"/><path d="M5 11a7 7 0 0 0 11.6 5.3M19 11a7 7 0 0 1-.4 2.3"/><path d="M12 18v3"/><path d="M3 3l18 18"/></svg>`;
const CAMERA_OFF_ICON = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M15 10l5-3v10l-5-3"/><path d="M4 6h9a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z"/><path d="M2 2l20 20"/></svg>`;

export const STRIP_PAGE_SIZE = 4;

export function tilesOf(remotes: readonly RemoteParticipant[]): Tile[] {
  const tiles: Tile[] = [];
  for (const r of remotes) {
    if (r.screenStream) tiles.push({ key: `${r.userId}:screen`, userId: r.userId, source: 'screen', remote: r });
    tiles.push({ key: `${r.userId}:camera`, userId: r.userId, source: 'camera', remote: r });
  }
  return tiles;
}

/**
 * Which tile is spotlighted and which tiles are on the current page. Speaker layout (or any screen share):
 * one big tile — pinned, else a screen share, else the active speaker — plus a paginated strip.
 */
export function arrange(tiles: Tile[], grid: GridState, activeSpeaker: string | null): { spotlight?: Tile; page: Tile[]; pages: number } {
  const screen = tiles.find((t) => t.source === 'screen');
  const pinned = tiles.find((t) => t.key === grid.pinned);
  const speakerMode = grid.layout === 'speaker' || screen !== undefined || pinned !== undefined;
  if (!speakerMode || tiles.length <= 1) {
    const pages = Math.max(1, Math.ceil(tiles.length / grid.pageSize));
    const page = Math.min(grid.page, pages - 1);
    return { page: tiles.slice(page * grid.pageSize, (page + 1) * grid.pageSize), pages };
  }
  const spotlight = pinned ?? screen ?? tiles.find((t) => t.userId === activeSpeaker && t.source === 'camera') ?? tiles[0];
  const rest = tiles.filter((t) => t !== spotlight);
  const size = Math.min(STRIP_PAGE_SIZE, grid.pageSize);
  const pages = Math.max(1, Math.ceil(rest.length / size));
  const page = Math.min(grid.page, pages - 1);
  return { ...(spotlight ? { spotlight } : {}), page: rest.slice(page * size, (page + 1) * size), pages };
}

export function renderGrid(
  remotes: readonly RemoteParticipant[],
  grid: GridState,
  activeSpeaker: string | null,
  isAdmin: boolean,
  h: GridHandlers,
  S: Strings,
): TemplateResult {
  const tiles = tilesOf(remotes);
  const { spotlight, page, pages } = arrange(tiles, grid, activeSpeaker);
  const current = Math.min(grid.page, pages - 1);
  return html`
    ${spotlight ? html`<div part="spotlight">${tile(spotlight, grid, isAdmin, h, S)}</div>` : nothing}
    <div part="grid ${spotlight ? 'strip' : ''}" data-layout=${spotlight ? 'speaker' : 'grid'} data-count=${page.length}>
      ${repeat(page, (t) => t.key, (t) => tile(t, grid, isAdmin, h, S))}
    </div>
    ${pages > 1
      ? html`<div part="pager" role="group" aria-label=${S.pages}>
          <button part="button page-prev" ?disabled=${current === 0} @click=${() => h.setPage(current - 1)} aria-label=${S.previousPage}>‹</button>
          <span part="page-label">${S.pageOf(current + 1, pages)}</span>
          <button part="button page-next" ?disabled=${current >= pages - 1} @click=${() => h.setPage(current + 1)} aria-label=${S.nextPage}>›</button>
        </div>`
      : nothing}`;
}

function tile(t: Tile, grid: GridState, isAdmin: boolean, h: GridHandlers, S: Strings): TemplateResult {
  const r = t.remote;
  const name = r.name ?? r.userId;
  const stream = t.source === 'screen' ? r.screenStream : r.stream;
  const showVideo = t.source === 'screen' || (r.hasVideo && !r.cameraOff);
  const pinned = grid.pinned === t.key;
  return html`
    <div part="tile${t.source === 'screen' ? ' screen-tile' : ''}" data-user-id=${t.userId} data-source=${t.source}
      data-mic-muted=${String(r.micMuted)} data-camera-off=${String(!showVideo)} data-speaking=${String(r.speaking)} data-pinned=${String(pinned)}>
      <video part="remote-video" .srcObject=${stream} autoplay playsinline ?hidden=${!showVideo}></video>
      ${showVideo ? nothing : html`<div class="avatar" aria-hidden="true">${name.slice(0, 1).toUpperCase()}</div>`}
      <div class="label">
        <span>${t.source === 'screen' ? S.screenOf(name) : name}</span>
        ${r.micMuted && t.source === 'camera' ? html`<span part="mute-indicator" role="img" aria-label=${S.micMuted}>${MIC_OFF_ICON}</span>` : nothing}
        ${r.hasVideo && r.cameraOff && t.source === 'camera' ? html`<span part="camera-indicator" role="img" aria-label=${S.cameraIsOff}>${CAMERA_OFF_ICON}</span>` : nothing}
      </div>
      <details part="tile-menu" class="tile-menu">
        <summary aria-label=${S.actionsFor(name)}>⋯</summary>
        <div class="menu" role="group">
          <button part="button pin" @click=${() => h.pin(pinned ? undefined : t.key)}>${pinned ? S.unpin : S.pin}</button>
          ${isAdmin && t.source === 'camera'
            ? html`
                <button part="button mute-participant" @click=${() => h.moderate('mute-mic', t.userId)}>${S.muteParticipant}</button>
                <button part="button stop-participant-camera" @click=${() => h.moderate('mute-camera', t.userId)}>${S.stopCamera}</button>
                ${r.role === 'host' ? html`<button part="button to-audience" @click=${() => h.moderate('to-audience', t.userId)}>${S.toAudience}</button>` : nothing}
                <button part="button remove-participant" @click=${() => h.moderate('remove', t.userId)}>${S.remove}</button>`
            : nothing}
        </div>
      </details>
    </div>`;
}
