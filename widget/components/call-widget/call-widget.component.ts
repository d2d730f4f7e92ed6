import { LitElement, type PropertyValues, html, nothing, svg } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { Environment } from '../../../protocol';
import type { CallEngine, CallStatus, EngineFactory, MediaStats } from '../../call/engine';
import { callWidgetStyles } from './call-widget.styles';
import type { Layout } from './views/grid';
import { LauncherController, type LauncherPosition } from './controllers/launcher';
import { PrejoinController } from './controllers/prejoin';
import { ConnectionKeeper } from './controllers/connection-keeper';
import { EngineBinding } from './controllers/engine-binding';
import { Ringing } from './controllers/ringing';
import { TileViews } from './controllers/tile-views';
import { isRtl } from './i18n';
import { LanguageController } from './controllers/language';
import type { Strings } from './strings';
import { callViewOf } from './view-model';
import { announcementFor, type PanelState, renderState, type ViewHandlers } from './views/panel';
import { renderPrejoin } from './views/prejoin';

const PHONE_ICON = svg`<svg viewBox="0 0 24 24" width="26" height="26" aria-hidden="true" fill="currentColor"><path d="M6.6 10.8a15.1 15.1 0 0 0 6.6 6.6l2.2-2.2a1 1 0 0 1 1-.25 11.4 11.4 0 0 0 3.6.57 1 1 0 0 1 1 1V20a1 1 0 0 1-1 1A17 17 0 0 1 3 4a1 1 0 0 1 1-1h3.5a1 1 0 0 1 1 1c0 1.25.2 2.45.57 3.57a1 1 0 0 1-.25 1z"/></svg>`;

/**
 * `<call-widget>`: audio/video calling in one element.
 *
 * @attr server - Base URL of the call-widget server. Required when the widget is bundled into an app (without it:
 *   `call-error` `not_configured`); the script-tag bundle (`/widget.js`) defaults to the origin it was served from.
 * @attr token - Token from your backend's Get Token call (`POST /v1/token`). A new token for the same user renews
 *   the open connection in place (calls go on); with another server or environment it reconnects.
 * @attr token-url - Instead of `token`: a URL on your own site that answers a POST (with the visitor's cookies)
 *   with `{ "token": "..." }`. The CMS path: no script needed, only attributes.
 * @attr environment - `development` or `production`: refuse tokens of the other environment.
 * @attr ice-transport-policy - `all` (default) or `relay`: media only via the server's TURN relay (strict networks).
 * @attr room - Join this conference room as soon as connected (RoomID; created on first join).
 * @attr room-kind - `conference` (default) or `live` (hosts publish, the audience only watches).
 * @attr layout - `grid` (default) or `speaker` (one big tile plus a strip); users can switch.
 * @attr page-size - Most remote tiles per grid page (default 9); the rest are paged and not received.
 * @attr video-resolution - Camera capture: `720p` (default) or `360p`.
 * @attr lang - Language of the widget (`en`, `es`, `ar`; default: the page's `<html lang>`); `ar` lays out
 *   right to left. Override any text with the `strings` property.
 * @attr theme - `light`, `dark` (default) or `auto` (follows the system).
 * @attr mode - `inline` (default: fills its container) or `launcher` (a floating call button in a page corner
 *   that opens the panel; an incoming call opens it).
 * @attr muted-tones - Boolean: no ringtone or ringback (they are synthesized with WebAudio otherwise).
 * @attr position - Launcher corner: `bottom-right` (default), `bottom-left`, `top-right`, `top-left`.
 * @attr prejoin - Boolean: when idle, show a pre-join screen (camera preview, live microphone level, mic and
 *   camera toggles, a device menu for camera, microphone and speaker); with `room`, join on "Join now" instead
 *   of at once. Device choices are remembered (localStorage) and follow hot-plugging.
 * @attr reconnect-grace - Seconds to keep trying to resume a dropped connection before the call ends with
 *   `connection_lost` (default: what the server keeps, 20).
 * @attr state - Read-only, reflected: `disconnected`, `connecting`, `idle`, `outgoing`, `incoming`, `joining`,
 *   `in-call`, `reconnecting`, `ended` or `error`.
 *
 * @fires call-incoming - `{ callId, caller, video }` someone is calling.
 * @fires call-outgoing - `{ callId, callees, video }` a dialed call is ringing.
 * @fires call-connected - `{ callId, sessionId }` media is flowing.
 * @fires call-ended - `{ callId, sessionId, reason, durationMs }`; reason is one of `hangup`, `declined`,
 *   `cancelled`, `no_answer`, `busy`, `unavailable`, `answered_elsewhere`, `failed`, `connection_lost`, `server_restart`.
 * @fires call-error - `{ code, message }`.
 * @fires call-reconnecting - `{ callId? }` the connection dropped; resuming (the call goes on meanwhile).
 * @fires call-reconnected - `{ callId? }` resumed: same call, media restarted.
 * @fires call-state-change - `{ state }` whenever `state` changes.
 * @fires call-token-expiring - `{ expiresAt }` (cancelable) the token expires soon: the widget gets a new one from
 *   `tokenProvider` or `token-url`, unless you call preventDefault() and set `token` yourself. Renewing never
 *   interrupts a call; a token left to expire ends the connection with `token_expired`.
 *
 * @csspart panel - The whole panel.
 * @csspart status - The headline of each state.
 * @csspart dialer - The dial form.
 * @csspart callee-input - Its user id field.
 * @csspart stage - Everything a call shows (spotlight, grid, your preview).
 * @csspart spotlight - The big tile (speaker layout, pinned, screen share).
 * @csspart grid - The grid of remote tiles (also `strip` in speaker layout).
 * @csspart tile - One remote participant (or screen share); `screen-tile` for screen shares.
 * @csspart remote-video - A remote video.
 * @csspart tile-menu - A tile's actions (pin; mute and remove for admins).
 * @csspart mute-indicator - The muted-microphone icon on a tile.
 * @csspart camera-indicator - The camera-off icon on a tile.
 * @csspart local-tile - Your own preview.
 * @csspart local-video - Its video.
 * @csspart pager - Previous/next page of tiles.
 * @csspart invite - The invite form during a call.
 * @csspart controls - The button bar.
 * @csspart button - Every button; each also has its own part: `accept`, `accept-audio`, `decline`, `cancel`,
 *   `hangup`, `mic`, `camera`, `screen-share`, `layout`, `dismiss`, `join-audio-only`, `dial-video`, `dial-audio`.
 * @csspart timer - The call timer.
 * @csspart audience-count - Viewers of a live room.
 * @csspart prejoin - The pre-join screen: `preview-tile`, `preview-video`, `mic-meter`, `device-settings` (the
 *   menu button), `device-menu` (the popover) with `camera-select`, `microphone-select`, `speaker-select`,
 *   `prejoin-problem` with `retry-preview` (blocked or no device), `join`.
 * @csspart recent - Recent calls under the dialer: `recent-toggle` (its button), `missed-badge`, `recent-calls`
 *   (the list), `recent-call` (one call; `data-missed="true"` when missed) and `call-back`.
 * @csspart reconnecting - The "Reconnecting…" banner over the call while the connection resumes.
 * @csspart network-warning - The "Poor connection" notice during a call on a bad network.
 *
 * @cssprop [--call-widget-background=#0f1115] - Panel background (light theme: #ffffff).
 * @cssprop [--call-widget-foreground=#f4f5f7] - Text colour.
 * @cssprop [--call-widget-muted=#9aa0aa] - Secondary text.
 * @cssprop [--call-widget-surface=#1b1e25] - Inputs and menus.
 * @cssprop [--call-widget-accent=#2f6fed] - Primary actions and focus rings.
 * @cssprop [--call-widget-danger=#d93a3a] - Decline and hang up.
 * @cssprop [--call-widget-success=#18794e] - Accept and the active speaker outline.
 * @cssprop [--call-widget-radius=12px] - Corner radius.
 * @cssprop [--call-widget-spacing=12px] - Padding and gaps.
 * @cssprop [--call-widget-font=system-ui] - Font family.
 * @cssprop [--call-widget-tile-aspect=16 / 9] - Tile aspect ratio.
 * @cssprop [--call-widget-warning-background=#8a5a00] - Reconnecting and poor-network notices.
 * @cssprop [--call-widget-warning-foreground=#fff] - Their text.
 *
 * @tagname call-widget
 */
export class CallWidget extends LitElement {
  static override styles = callWidgetStyles;

  /**
   * The server used when the `server` attribute is absent. Only the script-tag bundle sets it (to the origin it
   * was served from, which is the server). A copy bundled into an app has none: guessing the app's own origin
   * would connect somewhere that is not a call-widget server, so it reports `not_configured` instead.
   */
  static defaultServer: string | undefined;
  /**
   * Makes the engine for `server` + `token`: the real one (CallController) is given by the composition root
   * (widget/call-widget.ts) before the element is defined; the demo's simulator is set as `engine` instead.
   */
  static createEngine: EngineFactory = () => {
    throw new Error('call-widget: import the element from widget/call-widget.ts, which gives it its engine');
  };

  @property() server: string | undefined;
  @property() token: string | undefined;
  @property({ attribute: 'token-url' }) tokenUrl: string | undefined;
  /** Returns a new token for the same user when the current one expires soon (else `token-url` is asked again). */
  @property({ attribute: false }) tokenProvider: (() => string | Promise<string>) | undefined;
  @property() environment: Environment | undefined;
  @property({ attribute: 'ice-transport-policy' }) iceTransportPolicy: 'all' | 'relay' = 'all';
  @property() room: string | undefined;
  @property({ attribute: 'room-kind' }) roomKind: 'conference' | 'live' = 'conference';
  @property({ reflect: true }) layout: Layout = 'grid';
  @property({ attribute: 'page-size', type: Number }) pageSize = 9;
  @property({ attribute: 'video-resolution' }) videoResolution: '360p' | '720p' = '720p';
  /** The `lang` attribute (HTMLElement's own `lang` property keeps working too). */
  @property({ attribute: 'lang' }) language: string | undefined;
  @property({ reflect: true }) theme: 'light' | 'dark' | 'auto' = 'dark';
  /** Overrides for any user-visible text (see strings.ts for the keys). */
  @property({ attribute: false }) strings: Partial<Strings> = {};
  @property({ reflect: true }) mode: 'inline' | 'launcher' = 'inline';
  @property({ reflect: true }) position: LauncherPosition = 'bottom-right';
  @property({ attribute: 'muted-tones', type: Boolean }) mutedTones = false;
  /** Seconds to try resuming a dropped connection before the call ends with `connection_lost` (default: the server's, 20). */
  @property({ attribute: 'reconnect-grace', type: Number }) reconnectGrace: number | undefined;
  /** Boolean: show the pre-join screen (preview, mic level, devices) when idle; with `room`, join on "Join now". */
  @property({ type: Boolean }) prejoin = false;
  /** Read-only: the call status. */
  @property({ reflect: true }) state: CallStatus = 'disconnected';

  @state() private page = 0;
  @state() private pinned: string | undefined;
  @state() private recentOpen = false;
  private lastJoin: { roomId: string; kind: 'conference' | 'live' } | undefined;
  private autoJoined: string | undefined;

  // Each concern is a reactive controller (controllers/); the element wires them and renders.
  private readonly i18n = new LanguageController(this, () => this.language || document.documentElement.lang || navigator.language, () => this.strings);
  private readonly launcher = new LauncherController(this, () => this.position);
  private readonly ringing = new Ringing(this, () => this.engine, (caller) => this.i18n.current.incomingAnnouncement(caller));
  private readonly binding = new EngineBinding(this, {
    ringing: this.ringing,
    launcher: this.launcher,
    renewToken: () => void this.connection.renewFromSource(),
    statusChanged: (state) => this.statusChanged(state),
  });
  private readonly connection = new ConnectionKeeper(
    this,
    () => this.engine,
    (engine) => {
      this.binding.detach();
      if (engine) this.binding.attach(engine);
    },
    () => CallWidget.defaultServer,
    () => CallWidget.createEngine,
  );
  private readonly prejoinUi = new PrejoinController(this, () => this.engine);
  private readonly tiles = new TileViews(this, () => this.engine);

  private get engine(): CallEngine | undefined {
    return this.binding.engine;
  }

  /** Calls a user (or several). Resolves when the call is ringing or has failed (see `call-error`). */
  dial(userId: string | string[], options: { video?: boolean } = {}): Promise<void> {
    return this.require().dial(Array.isArray(userId) ? userId : [userId], options.video ?? true);
  }

  accept(options: { video?: boolean } = {}): Promise<void> { return this.require().accept(options.video ?? true); } // prettier-ignore

  decline(): Promise<void> { return this.require().decline(); } // prettier-ignore
  cancel(): Promise<void> { return this.require().cancel(); } // prettier-ignore
  hangup(): Promise<void> { return this.require().hangup(); } // prettier-ignore

  /** Joins (or creates) the room `roomId`: a conference room, or a live room with `{ kind: 'live' }`. */
  join(roomId: string, options: { video?: boolean; kind?: 'conference' | 'live' } = {}): Promise<void> {
    const kind = options.kind ?? this.roomKind;
    this.lastJoin = { roomId, kind };
    return this.require().join(roomId, options.video ?? true, kind);
  }

  /** Rings more people into the current call. */
  invite(userIds: string | string[]): Promise<void> { return this.require().invite(Array.isArray(userIds) ? userIds : [userIds]); } // prettier-ignore

  startScreenShare(): Promise<void> { return this.require().startScreenShare(); } // prettier-ignore
  stopScreenShare(): Promise<void> { return this.require().stopScreenShare(); } // prettier-ignore

  /** Room admins only (the server refuses others with `forbidden`). */
  muteParticipant(userId: string, source: 'mic' | 'camera' = 'mic'): Promise<void> { return this.require().moderate(source === 'mic' ? 'mute-mic' : 'mute-camera', userId); } // prettier-ignore

  removeParticipant(userId: string): Promise<void> { return this.require().moderate('remove', userId); } // prettier-ignore
  /** Room admins: let a removed user join this room session again. */
  allowParticipant(userId: string): Promise<void> { return this.require().moderate('allow', userId); } // prettier-ignore

  /** Live rooms, admins only: put a viewer on stage (`host`) or back in the audience. */
  setParticipantRole(userId: string, role: 'host' | 'audience'): Promise<void> { return this.require().moderate(role === 'host' ? 'to-stage' : 'to-audience', userId); } // prettier-ignore

  /** Opens the recent-calls list (with call back) under the dialer; the missed-calls badge clears. */
  showRecentCalls(): void {
    this.recentOpen = true;
    this.engine?.recent.markSeen();
  }

  /** Pins a participant's tile as the big one (undefined: unpin). */
  pin(userId: string | undefined, source: 'camera' | 'screen' = 'camera'): void { this.pinned = userId === undefined ? undefined : `${userId}:${source}`; } // prettier-ignore

  leave(): Promise<void> { return this.require().leave(); } // prettier-ignore
  setMicEnabled(on: boolean): Promise<void> { return this.require().setMicEnabled(on); } // prettier-ignore
  setCameraEnabled(on: boolean): Promise<void> { return this.require().setCameraEnabled(on); } // prettier-ignore

  /** Receive-side media statistics of the current call (frames decoded, audio packets per remote user). */
  getStats(): Promise<MediaStats> { return this.require().getStats(); } // prettier-ignore

  /**
   * Drives the element with another engine (the demo's simulator) instead of a server connection.
   * @internal
   */
  useEngine(engine: CallEngine): void {
    this.binding.detach();
    this.connection.useExternalEngine();
    this.binding.attach(engine);
  }

  /** Also waits for a language table still loading, so the element is settled in its own language. */
  protected override async getUpdateComplete(): Promise<boolean> {
    await super.getUpdateComplete();
    await this.i18n.ready;
    return super.getUpdateComplete();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    // (Re)connect, renew in place or nothing: see ConnectionKeeper.
    if ((changed.has('token') || changed.has('server') || changed.has('environment') || changed.has('tokenUrl') || changed.has('iceTransportPolicy')) && this.isConnected) this.connection.update();
  }

  private require(): CallEngine {
    if (!this.engine) throw new Error('call-widget: set the `token` attribute first');
    return this.engine;
  }

  /** The element's own reactions to a new status: join `room` once idle (unless pre-join asks first), reset the grid after a call. */
  private statusChanged(state: CallStatus): void {
    if (state === 'idle' && this.room && !this.prejoin && this.autoJoined !== this.room) {
      this.autoJoined = this.room;
      void this.join(this.room);
    }
    if (state !== 'in-call') {
      this.page = 0;
      this.pinned = undefined;
    }
  }

  private readonly handlers: ViewHandlers = {
    dial: (userId, video) => void this.dial(userId, { video }),
    accept: (video) => void this.accept({ video }),
    decline: () => void this.decline(),
    cancel: () => void this.cancel(),
    hangup: () => void this.hangup(),
    toggleMic: () => void this.setMicEnabled(!this.engine?.micEnabled),
    toggleCamera: () => void this.setCameraEnabled(!this.engine?.cameraEnabled),
    dismiss: () => this.engine?.dismiss(),
    invite: (userId) => void this.invite(userId),
    toggleScreenShare: () => void (this.engine?.screenStream ? this.stopScreenShare() : this.startScreenShare()),
    toggleLayout: () => {
      this.layout = this.layout === 'grid' ? 'speaker' : 'grid';
      this.page = 0;
    },
    joinAudioOnly: () => {
      const last = this.lastJoin;
      this.engine?.dismiss();
      if (last) void this.join(last.roomId, { video: false, kind: last.kind });
    },
    setPage: (page) => (this.page = Math.max(0, page)),
    pin: (key) => (this.pinned = key),
    moderate: (action, userId) => void this.engine?.moderate(action, userId),
    toggleRecent: () => (this.recentOpen ? (this.recentOpen = false) : this.showRecentCalls()),
  };

  protected override render() {
    const engine = this.engine;
    const { lang, current: S } = this.i18n;
    const prejoin = this.prejoin && engine ? renderPrejoin(this.prejoinUi.view(engine, this.room), this.prejoinUi.handlers, S) : undefined;
    const panelState: PanelState = {
      layout: this.layout, page: this.page, pinned: this.pinned, pageSize: Math.max(1, this.pageSize), recentOpen: this.recentOpen, lang, prejoin,
      screenShareSupported: typeof navigator.mediaDevices?.getDisplayMedia === 'function',
    };
    const launcher = this.mode === 'launcher';
    const panel = html`<div part="panel" id="panel" dir=${isRtl(lang) ? 'rtl' : 'ltr'} lang=${lang}
      ?hidden=${launcher && !this.launcher.open} role=${launcher ? 'dialog' : nothing} aria-label=${launcher ? S.callPanel : nothing} @keydown=${this.onPanelKey}>
      ${this.state === 'incoming' && this.ringing.handledByPage ? nothing : renderState(engine && callViewOf(engine, Date.now()), this.token !== undefined && this.token !== '', panelState, this.handlers, S)}
      <div class="sr-only" role="status" aria-live="polite" aria-atomic="true">${announcementFor(engine?.state, S)}</div>
    </div>`;
    if (!launcher) return panel;
    const ringing = this.state === 'incoming';
    return html`<button part="launcher" class=${ringing ? 'ringing' : ''} aria-controls="panel" aria-expanded=${String(this.launcher.open)}
        aria-label=${ringing ? S.incomingAnnouncement('') : S.openCalls} @click=${() => this.launcher.toggle()}>${PHONE_ICON}</button>
      ${panel}`;
  }

  private readonly onPanelKey = (e: KeyboardEvent) => {
    if (e.key === 'Escape' && this.mode === 'launcher') this.launcher.close();
  };
}
