import { html, nothing, type TemplateResult } from 'lit';
import type { DeviceKind } from '../../../call/engine';
import type { Strings } from '../strings';
import type { PrejoinView } from '../view-model';

export interface PrejoinHandlers {
  select(kind: DeviceKind, deviceId: string): void;
  retryPreview(): void;
  setMic(on: boolean): void;
  setCamera(on: boolean): void;
  toggleMenu(): void;
  /** Escape closes the device menu (and only it). */
  menuKey(e: KeyboardEvent): void;
  join(roomId: string): void;
}

/** The pre-join screen: preview, microphone level, mic/camera toggles, the device menu, "Join now". */
export function renderPrejoin(v: PrejoinView, h: PrejoinHandlers, S: Strings): TemplateResult {
  const select = (kind: DeviceKind, label: string) =>
    html`<label>${label}
      <select part="device-select ${kind}-select" @change=${(e: Event) => h.select(kind, (e.target as HTMLSelectElement).value)}>
        <option value="" ?selected=${!v.selected[kind]}>${S.systemDefault}</option>
        ${v.devices[kind].map((o) => html`<option value=${o.deviceId} ?selected=${v.selected[kind] === o.deviceId}>${o.label}</option>`)}
      </select></label>`;
  const toggle = (part: string, on: boolean, offLabel: string, onLabel: string, set: (on: boolean) => void) =>
    html`<button part="button ${part}" data-kind="toggle" aria-pressed=${String(!on)} @click=${() => set(!on)}>${on ? offLabel : onLabel}</button>`;
  return html`<section part="prejoin" aria-label=${S.prejoinTitle}>
    ${v.problem
      ? html`<div part="prejoin-problem" class="center">
          <p role="alert">${v.problem.code === 'media_permission_denied' ? S.blockedHelp : S.noDeviceHelp}</p>
          <button part="button retry-preview" data-kind="primary" @click=${h.retryPreview}>${S.tryAgain}</button>
        </div>`
      : html`<div part="preview-tile">
          ${v.preview && v.cameraEnabled
            ? html`<video part="preview-video" .srcObject=${v.preview} autoplay playsinline .muted=${true} aria-label=${S.cameraPreview}></video>`
            : html`<div class="avatar">${S.cameraIsOff}</div>`}
        </div>`}
    <div class="row">
      ${v.preview
        ? html`<div part="mic-meter" role="meter" aria-label=${S.micLevel} aria-valuemin="0" aria-valuemax="100" aria-valuenow=${v.micLevel}>
            <span style=${`inline-size: ${v.micLevel}%`}></span>
          </div>`
        : nothing}
      ${toggle('prejoin-mic', v.micEnabled, S.muteMic, S.unmuteMic, h.setMic)}
      ${toggle('prejoin-camera', v.cameraEnabled, S.cameraOff, S.cameraOn, h.setCamera)}
      <button part="button device-settings" aria-haspopup="dialog" aria-expanded=${String(v.menuOpen)} aria-controls="device-menu"
        @click=${h.toggleMenu} @keydown=${h.menuKey}>${S.deviceSettings}</button>
    </div>
    ${v.menuOpen
      ? html`<div part="device-menu" id="device-menu" role="dialog" aria-label=${S.deviceSettings} @keydown=${h.menuKey}>
          ${select('camera', S.camera)} ${select('microphone', S.microphone)}
          ${v.speakerSelectable ? select('speaker', S.speaker) : nothing}
        </div>`
      : nothing}
    ${v.room ? html`<button part="button join" data-kind="primary" @click=${() => h.join(v.room!)}>${S.joinNow}</button>` : nothing}
  </section>`;
}
