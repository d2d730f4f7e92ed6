import { html, nothing, type TemplateResult } from 'lit';
import type { RecentCall } from '../../../../protocol';
import type { Strings } from '../strings';
import type { CallView } from '../view-model';

export interface RecentHandlers {
  toggleRecent(): void;
  dial(userIds: string | string[], video: boolean): void;
}

const peerNames = (c: RecentCall) => c.peers.map((p) => p.name ?? p.userId).join(', ');

/**
 * The recent-calls toggle with its missed-calls badge, and (when open) the list with a call-back button per
 * call. Shown under the dialer.
 */
export function renderRecent(recent: CallView['recent'], open: boolean, lang: string, h: RecentHandlers, S: Strings): TemplateResult {
  const missed = recent.missedCount;
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'short', timeStyle: 'short' });
  return html`<div part="recent">
    <button part="button recent-toggle" aria-expanded=${String(open)} aria-controls="recent-calls" @click=${h.toggleRecent}
      aria-label=${missed > 0 ? `${S.recentCalls}, ${S.missedCalls(missed)}` : S.recentCalls}>
      ${S.recentCalls}${missed > 0 ? html` <span part="missed-badge" aria-hidden="true">${missed}</span>` : nothing}
    </button>
    ${open
      ? html`<ul part="recent-calls" id="recent-calls">
          ${recent.calls.length === 0 ? html`<li class="hint">${S.noRecentCalls}</li>` : nothing}
          ${recent.calls.map(
            (c) => html`<li part="recent-call" data-missed=${String(c.missed)}>
              <span class="who">${peerNames(c)}</span>
              <span class="hint">${c.missed ? S.missedCall : c.direction === 'incoming' ? S.incomingCall : S.outgoingCall} · ${when.format(c.at)}</span>
              <button part="button call-back" aria-label=${S.callBackTo(peerNames(c))}
                @click=${() => h.dial(c.peers.map((p) => p.userId), c.video)}>${S.callBack}</button>
            </li>`,
          )}
        </ul>`
      : nothing}
  </div>`;
}
