import { html, nothing, svg, type TemplateResult } from 'lit';
import { repeat } from 'lit/directives/repeat.js';
import type { RemoteParticipant } from '../../call/call-controller';
import type { CallEngine } from '../../call/engine';
import type { Activity } from '../../call/call-machine';
import { STRINGS as S, formatDuration } from './strings';

// Inline SVG (no emoji: many systems lack an emoji font, and icons must follow currentColor).
const MIC_OFF_ICON = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M9 5a3 3 0 0 1 6 0v5"/><path d="M15 13.5A3 3 0 0 1 9 11V9"/><path d="M5 11a7 7 0 0 0 11.6 5.3M19 11a7 7 0 0 1-.4 2.3"/><path d="M12 18v3"/><path d="M3 3l18 18"/></svg>`;
const CAMERA_OFF_ICON = svg`<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round"><path d="M15 10l5-3v10l-5-3"/><path d="M4 6h9a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V8a2 2 0 0 1 2-2z"/><path d="M2 2l20 20"/></svg>`;

export interface ViewHandlers {
  dial(userId: string, video: boolean): void;
  accept(video: boolean): void;
  decline(): void;
  cancel(): void;
  hangup(): void;
  toggleMic(): void;
  toggleCamera(): void;
  dismiss(): void;
}

/** Renders the panel for the controller's current state. Pure: reads state, wires intents. */
export function renderState(c: CallEngine | undefined, hasToken: boolean, h: ViewHandlers): TemplateResult {
  if (!c) return centered(hasToken ? S.connecting : S.waitingForToken);
  const state = c.state;
  switch (state.status) {
    case 'disconnected':
      return centered(S.notConnected, state.error ? (S.errors[state.error.code] ?? state.error.message) : undefined);
    case 'connecting':
      return centered(S.connecting);
    case 'idle':
      return dialer(h);
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
      return inCall(c, state.activity, h);
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
        <div part="controls">${state.me ? button('dismiss', S.dismiss, 'primary', h.dismiss) : nothing}</div>`;
  }
}

function centered(text: string, hint?: string): TemplateResult {
  return html`<div class="center"><p part="status" role="status">${text}</p>${hint ? html`<p class="hint" role="alert">${hint}</p>` : nothing}</div>`;
}

function button(part: string, label: string, kind: string, onClick: () => void, pressed?: boolean): TemplateResult {
  return html`<button part="button ${part}" data-kind=${kind} aria-pressed=${pressed === undefined ? nothing : String(pressed)} @click=${onClick}>${label}</button>`;
}

function dialer(h: ViewHandlers): TemplateResult {
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

function inCall(c: CallEngine, activity: Activity, h: ViewHandlers): TemplateResult {
  const remotes = c.remotes();
  const elapsed = activity.connectedAt ? Date.now() - activity.connectedAt : 0;
  return html`
    <div part="grid">
      ${remotes.length === 0 ? html`<div class="center"><p class="hint">${S.waitingForOthers}</p></div>` : nothing}
      ${repeat(remotes, (r) => r.userId, (r) => tile(r))}
      ${c.localStream && activity.video
        ? html`<div part="local-tile"><video part="local-video" .srcObject=${c.localStream} autoplay playsinline .muted=${true} aria-label=${S.you}></video></div>`
        : nothing}
    </div>
    <div part="controls">
      <span part="timer" aria-label="call duration">${formatDuration(elapsed)}</span>
      ${button('mic', c.micEnabled ? S.muteMic : S.unmuteMic, 'toggle', h.toggleMic, !c.micEnabled)}
      ${activity.video ? button('camera', c.cameraEnabled ? S.cameraOff : S.cameraOn, 'toggle', h.toggleCamera, !c.cameraEnabled) : nothing}
      ${button('hangup', S.hangup, 'danger', h.hangup)}
    </div>`;
}

function tile(r: RemoteParticipant): TemplateResult {
  const name = r.name ?? r.userId;
  const showVideo = r.hasVideo && !r.cameraOff;
  return html`
    <div part="tile" data-user-id=${r.userId} data-mic-muted=${String(r.micMuted)} data-camera-off=${String(!showVideo)}>
      <video part="remote-video" .srcObject=${r.stream} autoplay playsinline ?hidden=${!showVideo}></video>
      ${showVideo ? nothing : html`<div class="avatar" aria-hidden="true">${name.slice(0, 1).toUpperCase()}</div>`}
      <div class="label">
        <span>${name}</span>
        ${r.micMuted ? html`<span part="mute-indicator" role="img" aria-label=${S.micMuted}>${MIC_OFF_ICON}</span>` : nothing}
        ${r.hasVideo && r.cameraOff ? html`<span part="camera-indicator" role="img" aria-label=${S.cameraIsOff}>${CAMERA_OFF_ICON}</span>` : nothing}
      </div>
    </div>`;
}
