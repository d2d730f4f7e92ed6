import { LitElement, type PropertyValues, html } from 'lit';
import { property } from 'lit/decorators.js';
import type { Environment } from '../../../protocol';
import { CallController, type ControllerEvent } from '../../call/call-controller';
import type { CallEngine } from '../../call/engine';
import type { CallStatus } from '../../call/call-machine';
import type { MediaStats } from '../../call/media-client';
import { callWidgetStyles } from './call-widget.styles';
import { callEvent, incomingDetail } from './events';
import { renderState, type ViewHandlers } from './views';

/** The origin this script was served from: the default `server` for the script-tag bundle. */
const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return undefined;
  }
})();

/**
 * `<call-widget>`: audio/video calling in one element.
 *
 * @attr server - Base URL of the call-widget server (default: where the script came from).
 * @attr token - Token from your backend's Get Token call (`POST /v1/token`). Changing it reconnects.
 * @attr environment - `development` or `production`: refuse tokens of the other environment.
 * @attr state - Read-only, reflected: `disconnected`, `connecting`, `idle`, `outgoing`, `incoming`, `joining`,
 *   `in-call`, `ended` or `error`.
 *
 * @fires call-incoming - `{ callId, caller, video }` someone is calling.
 * @fires call-outgoing - `{ callId, callees, video }` a dialed call is ringing.
 * @fires call-connected - `{ callId, sessionId }` media is flowing.
 * @fires call-ended - `{ callId, sessionId, reason, durationMs }`; reason is one of `hangup`, `declined`,
 *   `cancelled`, `no_answer`, `busy`, `unavailable`, `answered_elsewhere`, `failed`.
 * @fires call-error - `{ code, message }`.
 * @fires call-state-change - `{ state }` whenever `state` changes.
 *
 * @csspart panel - The whole panel. @csspart status - The headline. @csspart dialer - The dial form.
 * @csspart grid - Remote participants. @csspart tile - One remote participant. @csspart remote-video - Their video.
 * @csspart local-tile - Your own preview. @csspart local-video - Its video. @csspart controls - The button bar.
 * @csspart button - Every button (plus `accept`, `accept-audio`, `decline`, `cancel`, `hangup`, `mic`, `camera`, `dismiss`).
 * @csspart timer - The call timer.
 *
 * @cssprop [--call-widget-background=#0f1115] @cssprop [--call-widget-foreground=#f4f5f7]
 * @cssprop [--call-widget-muted=#9aa0aa] @cssprop [--call-widget-accent=#2f6fed] @cssprop [--call-widget-danger=#d93a3a]
 * @cssprop [--call-widget-success=#1f9d55] @cssprop [--call-widget-radius=12px] @cssprop [--call-widget-spacing=12px]
 * @cssprop [--call-widget-font=system-ui] @cssprop [--call-widget-tile-aspect=16 / 9]
 */
export class CallWidget extends LitElement {
  static override styles = callWidgetStyles;

  @property() server: string | undefined = SCRIPT_ORIGIN;
  @property() token: string | undefined;
  @property() environment: Environment | undefined;
  /** Read-only: the call status. */
  @property({ reflect: true }) state: CallStatus = 'disconnected';

  private controller: CallEngine | undefined;
  private unsubscribe: (() => void) | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private connectionKey = '';

  /** Calls a user (or several). Resolves when the call is ringing or has failed (see `call-error`). */
  dial(userId: string | string[], options: { video?: boolean } = {}): Promise<void> {
    return this.require().dial(Array.isArray(userId) ? userId : [userId], options.video ?? true);
  }

  accept(options: { video?: boolean } = {}): Promise<void> {
    return this.require().accept(options.video ?? true);
  }

  decline(): Promise<void> {
    return this.require().decline();
  }

  cancel(): Promise<void> {
    return this.require().cancel();
  }

  hangup(): Promise<void> {
    return this.require().hangup();
  }

  /** Joins (or creates) the conference room `roomId`. */
  join(roomId: string, options: { video?: boolean } = {}): Promise<void> {
    return this.require().join(roomId, options.video ?? true);
  }

  leave(): Promise<void> {
    return this.require().leave();
  }

  setMicEnabled(on: boolean): Promise<void> {
    return this.require().setMicEnabled(on);
  }

  setCameraEnabled(on: boolean): Promise<void> {
    return this.require().setCameraEnabled(on);
  }

  /** Receive-side media statistics of the current call (frames decoded, audio packets per remote user). */
  getStats(): Promise<MediaStats> {
    return this.require().getStats();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.reconnect();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.teardown();
    this.connectionKey = '';
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if ((changed.has('token') || changed.has('server') || changed.has('environment')) && this.isConnected) this.reconnect();
  }

  private require(): CallEngine {
    if (!this.controller) throw new Error('call-widget: set the `token` attribute first');
    return this.controller;
  }

  private teardown(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.controller?.disconnect();
    this.controller = undefined;
    clearInterval(this.timer);
    this.state = 'disconnected';
  }

  /**
   * Drives the element with another engine (the demo's simulator) instead of a server connection.
   * @internal
   */
  useEngine(engine: CallEngine): void {
    this.teardown();
    this.connectionKey = 'engine';
    this.attach(engine);
  }

  /** (Re)connects when server, token or environment differ from the live connection's. */
  private reconnect(): void {
    const key = `${this.server}|${this.token}|${this.environment}`;
    if (this.connectionKey === 'engine' || (key === this.connectionKey && this.controller)) return;
    this.teardown();
    this.connectionKey = key;
    if (!this.token || !this.server) return;
    this.attach(new CallController({ server: this.server, token: this.token, ...(this.environment ? { environment: this.environment } : {}) }));
  }

  private attach(controller: CallEngine): void {
    this.controller = controller;
    this.state = controller.status;
    this.unsubscribe = controller.subscribe((event) => this.onControllerEvent(event));
    void controller.connect();
  }

  private onControllerEvent(event: ControllerEvent | undefined): void {
    this.requestUpdate();
    if (!event) return;
    switch (event.type) {
      case 'state-change':
        this.state = event.state;
        clearInterval(this.timer);
        if (event.state === 'in-call') this.timer = setInterval(() => this.requestUpdate(), 1000);
        this.dispatchEvent(callEvent('call-state-change', { state: event.state }));
        return;
      case 'incoming':
        this.dispatchEvent(callEvent('call-incoming', incomingDetail(event.call)));
        return;
      case 'outgoing':
        this.dispatchEvent(callEvent('call-outgoing', { callId: event.call.callId, callees: event.call.callees, video: event.call.video }));
        return;
      case 'connected':
        this.dispatchEvent(callEvent('call-connected', { callId: event.callId, sessionId: event.sessionId }));
        return;
      case 'ended':
        this.dispatchEvent(callEvent('call-ended', { ...event.ended, sessionId: event.ended.sessionId ?? '' }));
        return;
      case 'error':
        this.dispatchEvent(callEvent('call-error', event.error));
        return;
    }
  }

  private readonly handlers: ViewHandlers = {
    dial: (userId, video) => void this.dial(userId, { video }),
    accept: (video) => void this.accept({ video }),
    decline: () => void this.decline(),
    cancel: () => void this.cancel(),
    hangup: () => void this.hangup(),
    toggleMic: () => void this.setMicEnabled(!this.controller?.micEnabled),
    toggleCamera: () => void this.setCameraEnabled(!this.controller?.cameraEnabled),
    dismiss: () => this.controller?.dismiss(),
  };

  protected override render() {
    const controller = this.controller;
    return html`<div part="panel">${renderState(controller, this.token !== undefined && this.token !== '', this.handlers)}</div>`;
  }
}
