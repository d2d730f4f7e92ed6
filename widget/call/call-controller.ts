import type { ClientRequestType, GrantsInfo, RequestPayload, ResponseOf } from '../../protocol';
import type { Activity, CallEngine, EngineOptions, MediaStats, ModerationAction, RemoteParticipant, RoomView, TileView } from './engine';
import { CallStateHost } from './state-host';
import { emptyMediaStats } from './media-stats';
import { SignalingError, type SocketFactory, toProtocolError as toError } from './signaling-client';
import { EngineConnection } from './engine-connection';
import { NotificationRouter } from './notifications';
import { type MediaModule, RoomActivity } from './room-activity';
import { RecentCalls } from './recent-calls';
import { DeviceManager } from './devices';

export type { ControllerEvent } from './state-host';

export interface CallControllerOptions extends EngineOptions {
  socketFactory?: SocketFactory;
  /** How the media chunk is loaded (tests may substitute it). */
  loadMedia?: () => Promise<MediaModule>;
}

/**
 * The real engine: the user's intents (dial, accept, join, toggles, moderation) over the pure call state
 * machine. Its parts: the connection (engine-connection.ts), notification routing (notifications.ts) and the
 * current call or room's media (room-activity.ts, whose token guards every asynchronous step).
 */
export class CallController extends CallStateHost implements CallEngine {
  private readonly connection: EngineConnection;
  private readonly notifications = new NotificationRouter({
    incoming: (call, capabilities) => {
      // Prepare while it rings (device and transports), so accepting only has to produce and consume.
      if (this.dispatch({ type: 'incoming', call })) this.prepareWhileRinging(call.callId, capabilities);
    },
    callUpdated: (call) => void this.dispatch({ type: 'call_updated', call }),
    callEnded: (ended) => {
      if (this.currentCallId() === ended.callId) {
        this.activity.end();
        this.dispatch({ type: 'ended', ended });
      }
      this.refreshRecent(); // the call is on the record now (perhaps as a missed one)
    },
    tokenExpiring: (expiresAt) => this.emit({ type: 'token-expiring', expiresAt }),
    mediaReset: (capabilities) => {
      // In a room, its session sets media up again; while ringing, what was prepared is gone: prepare again.
      if (this.activity.session) this.activity.session.resetMedia(capabilities);
      else if (this.state.status === 'incoming') this.prepareWhileRinging(this.state.call.callId, capabilities);
    },
    roomClosed: (reason) =>
      this.fail(reason === 'removed' ? new SignalingError('forbidden', 'a room admin removed you from the room') : new SignalingError('media_error', 'the room ended because its media server failed')),
    session: () => this.activity.session,
    awaitingSession: () => this.state.status === 'outgoing' || this.state.status === 'joining',
  });
  private readonly activity: RoomActivity;
  /** Your recent calls and the missed-calls count. */
  readonly recent = new RecentCalls();
  /** Cameras, microphones, speakers, the user's choices and the pre-join preview. */
  readonly devices: DeviceManager;

  constructor(options: CallControllerOptions) {
    super({ status: 'disconnected' });
    const resolution = options.videoResolution ?? '720p';
    this.devices = new DeviceManager(() => this.emit(undefined), resolution);
    this.connection = new EngineConnection(options, {
      connected: (me) => {
        this.dispatch({ type: 'connected', me });
        this.refreshRecent();
      },
      lost: (error) => {
        this.activity.end();
        this.dispatch({ type: 'connection_lost', ...(error ? { error } : {}) });
      },
      interrupted: () => this.dispatch({ type: 'connection_interrupted', at: Date.now() }),
      resumed: () => {
        this.dispatch({ type: 'resumed' });
        // The media path may have changed with the network: new ICE credentials for both transports.
        void this.activity.session?.restartIce().catch((e) => this.report(e));
      },
      resumeFailed: (connected) => this.giveUpResume(connected),
      notification: (n) => this.notifications.route(n),
      error: (error) => this.emit({ type: 'error', error }),
    });
    this.activity = new RoomActivity(
      {
        request: () => this.connection.client(),
        grants: () => this.connection.grants,
        me: () => ('me' in this.state ? this.state.me?.userId ?? '' : ''),
        takeDevices: () => {
          this.devices.stopPreview();
          return this.devices.constraints();
        },
        changed: () => this.emit(undefined),
        error: (e) => this.report(e),
      },
      this.notifications,
      resolution,
      ...(options.loadMedia ? [options.loadMedia] : []),
    );
  }

  get grants(): GrantsInfo { return this.connection.grants; } // prettier-ignore
  get localStream(): MediaStream | undefined { return this.activity.session?.localStream; } // prettier-ignore
  get screenStream(): MediaStream | undefined { return this.activity.session?.screenStream; } // prettier-ignore
  get micEnabled(): boolean { return this.activity.intent.mic; } // prettier-ignore
  get cameraEnabled(): boolean { return this.activity.intent.camera; } // prettier-ignore

  /** Your role in the current room, its audience size, who is speaking and how the network is doing. */
  get room(): RoomView | undefined {
    const s = this.activity.session;
    return s && { role: s.role, audienceCount: s.audienceCount, activeSpeaker: s.activeSpeaker, networkQuality: s.networkQuality };
  }

  async connect(): Promise<void> {
    if (this.dispatch({ type: 'connect' })) await this.connection.open();
  }

  /** Moves the open connection to a new token of the same user (before the old one expires): nothing stops. */
  async renewToken(token: string): Promise<void> {
    await this.connection.renew(token);
    await this.activity.session?.updateIceServers();
  }

  disconnect(): void {
    this.devices.stopPreview();
    this.activity.end();
    this.connection.close();
    this.dispatch({ type: 'connection_lost' });
  }

  async dial(callees: string[], video: boolean): Promise<void> {
    if (!this.dispatch({ type: 'dial', callees, video })) return;
    const token = this.activity.begin();
    const local = this.activity.openLocal(video);
    void this.activity.loadMedia();
    try {
      const { call, room } = await this.request('call.dial', { callees, video });
      if (!this.activity.isCurrent(token)) return;
      this.dispatch({ type: 'dialed', call });
      this.emit({ type: 'outgoing', call });
      await this.activity.start(token, room, local, () => this.mediaReady(room.sessionId));
    } catch (error) {
      if (!this.activity.isCurrent(token)) return;
      const callId = this.currentCallId();
      if (callId) void this.request('call.cancel', { callId }).catch(() => undefined);
      this.fail(error);
    }
  }

  async accept(video: boolean): Promise<void> {
    const state = this.state;
    if (state.status !== 'incoming' || !this.dispatch({ type: 'accept', video })) return;
    const token = this.activity.begin();
    const local = this.activity.openLocal(video);
    try {
      const { room } = await this.request('call.accept', { callId: state.call.callId, video });
      if (!this.activity.isCurrent(token)) return;
      await this.activity.start(token, room, local, () => this.mediaReady(room.sessionId));
    } catch (error) {
      if (!this.activity.isCurrent(token)) return;
      void this.request('call.hangup', { callId: state.call.callId }).catch(() => undefined);
      this.fail(error);
    }
  }

  async decline(): Promise<void> {
    if (this.state.status !== 'incoming') return;
    const { callId, sessionId } = this.state.call;
    await this.request('call.decline', { callId }).catch((e) => this.fail(e));
    // The server tells our other devices (declined); this one ends here.
    this.dispatch({ type: 'ended', ended: { callId, ...(sessionId ? { sessionId } : {}), reason: 'declined', durationMs: 0 } });
  }

  async cancel(): Promise<void> {
    const callId = this.currentCallId();
    if (this.state.status !== 'outgoing' || !callId) return;
    await this.request('call.cancel', { callId }).catch((e) => this.fail(e));
  }

  async hangup(): Promise<void> {
    const state = this.state;
    if (state.status === 'reconnecting') return 'activity' in state.prior ? this.endWhileOffline(state.prior.activity) : undefined;
    if (state.status === 'outgoing') return this.cancel();
    if (state.status === 'incoming') return this.decline();
    if (state.status !== 'in-call' && state.status !== 'joining') return;
    if (state.activity.kind === 'room') return this.leave();
    await this.request('call.hangup', { callId: state.activity.id }).catch(() => this.endWhileOffline(state.activity));
  }

  /** Hanging up without a connection: end here now, and leave on the server once the connection resumes. */
  private endWhileOffline(a: Activity): void {
    this.connection.leaveWhenBack();
    this.activity.end();
    if (a.kind === 'room') this.dispatch({ type: 'left_room' });
    else this.dispatch({ type: 'ended', ended: { callId: a.id, ...(a.sessionId ? { sessionId: a.sessionId } : {}), reason: 'hangup', durationMs: Date.now() - (a.connectedAt ?? Date.now()) } });
  }

  /** Rings more people into the current call. */
  async invite(userIds: string[]): Promise<void> {
    const callId = this.currentCallId();
    if (!callId || this.state.status !== 'in-call') return;
    await this.request('call.invite', { callId, callees: userIds }).catch((e) => this.report(e));
  }

  /** Joins (or creates) a conference room, or a live room (`live`: hosts publish, the audience watches). */
  async join(roomId: string, video: boolean, kind: 'conference' | 'live' = 'conference'): Promise<void> {
    if (!this.dispatch({ type: 'join_room', roomId, video })) return;
    const token = this.activity.begin();
    // The audience of a live room (no publish grant or not an admin) opens no camera or microphone.
    const publishes = this.grants.canPublish && (kind === 'conference' || this.grants.roomAdmin);
    const local = publishes ? this.activity.openLocal(video) : Promise.resolve(undefined);
    void this.activity.loadMedia();
    try {
      const room = await this.request('room.join', { roomId, kind, video: video && publishes });
      if (!this.activity.isCurrent(token)) return;
      await this.activity.start(token, room, local, () => this.mediaReady(room.sessionId));
    } catch (error) {
      if (!this.activity.isCurrent(token)) return;
      void this.request('room.leave', {}).catch(() => undefined);
      this.fail(error);
    }
  }

  async leave(): Promise<void> {
    this.activity.end();
    await this.request('room.leave', {}).catch(() => this.connection.leaveWhenBack());
    this.dispatch({ type: 'left_room' });
  }

  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  async setMicEnabled(on: boolean): Promise<void> {
    this.activity.intent.mic = on;
    this.emit(undefined);
    await this.activity.session?.applyIntent('mic').catch((e) => this.report(e));
  }

  async setCameraEnabled(on: boolean): Promise<void> {
    this.activity.intent.camera = on;
    this.emit(undefined);
    await this.activity.session?.applyIntent('camera').catch((e) => this.report(e));
  }

  async startScreenShare(): Promise<void> {
    await this.activity.session?.startScreenShare().catch((e) => this.report(e));
  }

  async stopScreenShare(): Promise<void> {
    await this.activity.session?.stopScreenShare();
  }

  /** Room admins: mute someone's mic or camera, remove someone (or let them back in), or move a live-room viewer on/off stage. */
  async moderate(action: ModerationAction, userId: string): Promise<void> {
    const done =
      action === 'remove'
        ? this.request('room.removeParticipant', { userId })
        : action === 'allow'
          ? this.request('room.allowParticipant', { userId })
          : action === 'to-stage' || action === 'to-audience'
            ? this.request('room.setRole', { userId, role: action === 'to-stage' ? 'host' : 'audience' })
            : this.request('room.muteParticipant', { userId, source: action === 'mute-mic' ? 'mic' : 'camera' });
    await done.catch((e) => this.report(e));
  }

  setTileViews(views: TileView[]): void {
    this.activity.session?.setTileViews(views);
  }

  remotes(): RemoteParticipant[] {
    return this.activity.session?.remotes() ?? [];
  }

  async getStats(): Promise<MediaStats> {
    return this.activity.session ? this.activity.session.getStats() : emptyMediaStats();
  }

  private mediaReady(sessionId: string): void {
    this.dispatch({ type: 'media_ready', sessionId, at: Date.now() });
  }

  private prepareWhileRinging(callId: string, routerRtpCapabilities: unknown): void {
    this.activity.preparation.start(callId, routerRtpCapabilities, () => this.currentCallId() === callId);
  }

  /** Reloads the recent calls (after connecting and whenever a call ends), then re-renders. */
  private refreshRecent(): void {
    const me = 'me' in this.state ? this.state.me : undefined;
    if (!me || !this.connection.isOpen) return;
    this.recent.refresh(this.connection.client(), me.userId).then(() => this.emit(undefined), () => undefined);
  }

  /**
   * The connection did not resume: the server no longer has our call (`connected`: we are back, fresh), or the
   * grace period is over while we are still offline (then only an activity ends; an idle widget keeps waiting).
   */
  private giveUpResume(connected: boolean): void {
    const s = this.state;
    if (s.status !== 'reconnecting') return;
    const busy = s.prior.status !== 'idle' && s.prior.status !== 'ended' && s.prior.status !== 'error';
    if (!busy && !connected) return;
    if (busy) this.activity.end();
    this.dispatch({ type: 'resume_failed', at: Date.now() });
  }

  private currentCallId(): string | undefined {
    const s = this.state;
    if (s.status === 'incoming') return s.call.callId;
    if (s.status === 'outgoing' || s.status === 'joining' || s.status === 'in-call') return s.activity.id || undefined;
    return undefined;
  }

  /** A request on the open connection (not connected: a typed `connection_closed` rejection). */
  private async request<T extends ClientRequestType>(type: T, payload: RequestPayload<T>): Promise<ResponseOf<T>> {
    return this.connection.client().request(type, payload);
  }

  private report(error: unknown): void {
    this.emit({ type: 'error', error: toError(error) });
  }

  private fail(error: unknown): void {
    this.activity.end();
    this.dispatch({ type: 'failed', error: toError(error) });
  }
}
