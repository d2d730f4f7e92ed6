import { html, nothing, type TemplateResult } from 'lit';
import type { Activity, CallMachineState } from '../../../call/engine';
import type { CallView } from '../view-model';
import { type GridHandlers, type GridState, renderGrid } from './grid';
import { type Strings, formatDuration } from '../strings';
import { type RecentHandlers, renderRecent } from './recent';

/** What the panel shows beyond the engine's state: grid paging and pinning, whether the recent list is open. */
export interface PanelState extends GridState {
  recentOpen: boolean;
  lang: string;
  /** The pre-join screen, shown above the dialer when the `prejoin` attribute is set. */
  prejoin: TemplateResult | undefined;
  /** This browser can capture a screen (getDisplayMedia); the element asks, the view only shows the button. */
  screenShareSupported: boolean;
}

export interface ViewHandlers extends GridHandlers, RecentHandlers {
  dial(userIds: string | string[], video: boolean): void;
  invite(userId: string): void;
  toggleScreenShare(): void;
  toggleLayout(): void;
  joinAudioOnly(): void;
  accept(video: boolean): void;
  decline(): void;
  cancel(): void;
  hangup(): void;
  toggleMic(): void;
  toggleCamera(): void;
  dismiss(): void;
}

/** Renders the panel for the engine's current state (`view`; none yet: waiting for a token or connecting). */
export function renderState(view: CallView | undefined, hasToken: boolean, grid: PanelState, h: ViewHandlers, S: Strings): TemplateResult {
  if (!view) return centered(hasToken ? S.connecting : S.waitingForToken);
  return renderStatus(view, view.state, grid, h, S);
}

function renderStatus(c: CallView, state: CallMachineState, grid: PanelState, h: ViewHandlers, S: Strings): TemplateResult {
  switch (state.status) {
    case 'reconnecting':
      // What we were doing stays on screen (video may even keep flowing), under a banner.
      return html`<div part="reconnecting" class="banner" role="status"><span class="spinner" aria-hidden="true"></span>${S.reconnecting}</div>
        ${renderStatus(c, state.prior, grid, h, S)}`;
    case 'disconnected':
      return centered(S.notConnected, state.error ? (S.errors[state.error.code] ?? state.error.message) : undefined);
    case 'connecting':
      return centered(S.connecting);
    case 'idle':
      return html`${grid.prejoin ?? nothing}${dialer(h, S)}${renderRecent(c.recent, grid.recentOpen, grid.lang, h, S)}`;
    case 'outgoing': {
      const who = state.callees.join(', ');
      return html`
        <div class="center">
          <p part="status" class="pulse" role="status">${S.calling(who)}</p>
          <p class="hint">${state.activity.video ? S.videoCall : S.audioCall}</p>
        </div>
        <div part="controls">${button('cancel', S.cancel, 'danger', h.cancel)}</div>`;
    }
    case 'incoming': {
      const who = state.call.caller.name ?? state.call.caller.userId;
      return html`
        <div class="center">
          <p part="status" role="status">${state.call.video ? S.incomingVideo(who) : S.incomingAudio(who)}</p>
        </div>
        <div part="controls">
          ${state.call.video ? button('accept', S.acceptVideo, 'accept', () => h.accept(true)) : nothing}
          ${button(state.call.video ? 'accept-audio' : 'accept', state.call.video ? S.acceptAudio : S.acceptAudio.replace(/ only$/, ''), 'accept', () => h.accept(false))}
          ${button('decline', S.decline, 'danger', h.decline)}
        </div>`;
    }
    case 'joining':
      return html`
        <div class="center"><p part="status" role="status">${S.connecting}</p></div>
        <div part="controls">${button('hangup', S.hangup, 'danger', h.hangup)}</div>`;
    case 'in-call':
      return inCall(c, state.activity, grid, h, S);
    case 'ended':
      return html`
        <div class="center">
          <p part="status" role="status">${S.reasons[state.ended.reason] ?? S.callEnded}</p>
          ${state.ended.durationMs > 0 ? html`<p class="hint">${S.duration(formatDuration(state.ended.durationMs))}</p>` : nothing}
        </div>
        <div part="controls">${button('dismiss', S.dismiss, 'primary', h.dismiss)}</div>`;
    case 'error':
      return html`
        <div class="center">
          <p part="status" role="alert">${S.errors[state.error.code] ?? state.error.message}</p>
        </div>
        <div part="controls">
          ${state.error.code === 'video_full' ? button('join-audio-only', S.joinAudioOnly, 'accept', h.joinAudioOnly) : nothing}
          ${state.me ? button('dismiss', S.dismiss, 'primary', h.dismiss) : nothing}
        </div>`;
  }
}

function centered(text: string, hint?: string): TemplateResult {
  return html`<div class="center"><p part="status" role="status">${text}</p>${hint ? html`<p class="hint" role="alert">${hint}</p>` : nothing}</div>`;
}

function button(part: string, label: string, kind: string, onClick: () => void, pressed?: boolean): TemplateResult {
  return html`<button part="button ${part}" data-kind=${kind} aria-pressed=${pressed === undefined ? nothing : String(pressed)} @click=${onClick}>${label}</button>`;
}

function dialer(h: ViewHandlers, S: Strings): TemplateResult {
  const submit = (e: Event, video: boolean) => {
    e.preventDefault();
    const form = (e.target as HTMLElement).closest('form') as HTMLFormElement;
    const input = form.elements.namedItem('callee') as HTMLInputElement;
    const userId = input.value.trim();
    if (userId) h.dial(userId, video);
    else input.focus();
  };
  return html`
    <form part="dialer" @submit=${(e: Event) => submit(e, true)}>
      <label for="callee">${S.calleeLabel}</label>
      <input id="callee" name="callee" part="callee-input" autocomplete="off" placeholder=${S.calleePlaceholder} required />
      <div class="row">
        <button part="button dial-video" data-kind="primary" type="submit">${S.videoCall}</button>
        <button part="button dial-audio" type="button" @click=${(e: Event) => submit(e, false)}>${S.audioCall}</button>
      </div>
    </form>`;
}

function inCall(c: CallView, activity: Activity, grid: PanelState, h: ViewHandlers, S: Strings): TemplateResult {
  const { remotes, room } = c;
  const elapsed = activity.connectedAt ? c.now - activity.connectedAt : 0;
  const watching = room?.role === 'audience';
  const canShare = !watching && c.canPublish && grid.screenShareSupported;
  return html`
    <div part="stage">
      ${room?.networkQuality === 'poor' ? html`<div part="network-warning" role="status">${S.poorConnection}</div>` : nothing}
      ${remotes.length === 0 ? html`<div class="center"><p class="hint">${S.waitingForOthers}</p></div>` : nothing}
      ${renderGrid(remotes, grid, room?.activeSpeaker ?? null, c.isAdmin, h, S)}
      ${c.localStream && activity.video && !watching
        ? html`<div part="local-tile"><video part="local-video" .srcObject=${c.localStream} autoplay playsinline .muted=${true} aria-label=${S.you}></video></div>`
        : nothing}
    </div>
    ${activity.kind === 'call' ? inviteForm(h, S) : nothing}
    <div part="controls">
      <span part="timer" aria-label=${S.callDuration}>${formatDuration(elapsed)}</span>
      ${room && room.audienceCount > 0 ? html`<span part="audience-count">${S.audience(room.audienceCount)}</span>` : nothing}
      ${watching ? html`<span part="watching">${S.watching}</span>` : button('mic', c.micEnabled ? S.muteMic : S.unmuteMic, 'toggle', h.toggleMic, !c.micEnabled)}
      ${activity.video && !watching ? button('camera', c.cameraEnabled ? S.cameraOff : S.cameraOn, 'toggle', h.toggleCamera, !c.cameraEnabled) : nothing}
      ${canShare ? button('screen-share', c.sharingScreen ? S.stopSharing : S.shareScreen, 'toggle', h.toggleScreenShare, c.sharingScreen) : nothing}
      ${remotes.length > 1 ? button('layout', grid.layout === 'grid' ? S.layoutSpeaker : S.layoutGrid, 'toggle', h.toggleLayout) : nothing}
      ${button('hangup', S.hangup, 'danger', h.hangup)}
    </div>`;
}

function inviteForm(h: ViewHandlers, S: Strings): TemplateResult {
  const submit = (e: Event) => {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).elements.namedItem('invitee') as HTMLInputElement;
    const userId = input.value.trim();
    if (userId) h.invite(userId);
    input.value = '';
  };
  return html`<form part="invite" class="row" @submit=${submit}>
    <input name="invitee" part="invite-input" aria-label=${S.invitePlaceholder} placeholder=${S.invitePlaceholder} autocomplete="off" />
    <button part="button invite-button" type="submit">${S.invite}</button>
  </form>`;
}

/** What the live region says for the current state (screen readers announce each change). */
export function announcementFor(s: CallMachineState | undefined, S: Strings): string {
  if (s?.status === 'incoming') return S.incomingAnnouncement(s.call.caller.name ?? s.call.caller.userId);
  if (s?.status === 'in-call') return S.connectedAnnouncement;
  if (s?.status === 'ended') return S.reasons[s.ended.reason];
  if (s?.status === 'reconnecting') return S.reconnecting;
  return '';
}
