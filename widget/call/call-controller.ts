import type { GrantsInfo, RoomJoined } from '../../protocol';
import type { CallEngine, EngineOptions, ModerationAction, RoomView } from './engine';
import type { Activity } from './call-machine';
import { CallStateHost } from './state-host';
import type { MediaStats } from './media-client';
import { emptyMediaStats } from './media-stats';
import { type RemoteParticipant, RoomSession, type TileView } from './room-session';
import type * as MediaModuleNamespace from './media-client';
import { openLocalMedia, stopStream } from './local-media';

export type { RemoteParticipant, TileView } from './room-session';
import { SignalingClient, SignalingError, type SocketFactory, toProtocolError as toError } from './signaling-client';
import { watchReconnection } from './reconnection';
import { RingPreparation } from './ring-preparation';
import { RecentCalls } from './recent-calls';
import { DeviceManager } from './devices';

type MediaModule = typeof MediaModuleNamespace;

export interface CallControllerOptions extends EngineOptions {
  socketFactory?: SocketFactory;
  /** How the media chunk is loaded (tests may substitute it). */
  loadMedia?: () => Promise<MediaModule>;
}

export type { ControllerEvent } from './state-host';

/**
 * The one orchestrator of the widget engine: signaling, the pure call state machine and media. The element
 * only reads `state`/`localStream`/`remotes()` and calls the intent methods. Everything asynchronous checks
 * `activity` so a late result of an old call can never touch a new one.
 */
export class CallController extends CallStateHost implements CallEngine {
  grants: GrantsInfo = { canPublish: true, canSubscribe: true, roomAdmin: false };
  private signaling: SignalingClient | undefined;
  /** The room we are in (media, participants); undefined outside calls and rooms. */
  private session: RoomSession | undefined;
  private mediaModule: Promise<MediaModule> | undefined;
  /** Transports created while ringing (callee), used by accept. */
  private readonly preparation = new RingPreparation(() => this.loadMediaModule(), () => this.request());
  /** Notifications that arrive between a join response and the session existing. */
  private early: Parameters<RoomSession['handle']>[0][] = [];
  private pendingMic = true;
  private pendingCamera = true;
  private activity = 0;
  private unwatchNetwork: (() => void) | undefined;
  /** Hung up while reconnecting: the server still has us in the call until we tell it. */
  private leaveOnResume = false;
  /** Your recent calls and the missed-calls count. */
  readonly recent = new RecentCalls();

  /** Cameras, microphones, speakers, the user's choices and the pre-join preview. */
  readonly devices: DeviceManager;

  constructor(private readonly options: CallControllerOptions) {
    super({ status: 'disconnected' });
    this.devices = new DeviceManager(() => this.emit(undefined), options.videoResolution ?? '720p');
  }

  get localStream(): MediaStream | undefined { return this.session?.localStream; } // prettier-ignore
  get screenStream(): MediaStream | undefined { return this.session?.screenStream; } // prettier-ignore
  get micEnabled(): boolean { return this.session?.micEnabled ?? this.pendingMic; } // prettier-ignore
  get cameraEnabled(): boolean { return this.session?.cameraEnabled ?? this.pendingCamera; } // prettier-ignore

  /** Your role in the current room, its audience size, who is speaking and how the network is doing. */
  get room(): RoomView | undefined {
    const s = this.session;
    return s && { role: s.role, audienceCount: s.audienceCount, activeSpeaker: s.activeSpeaker, networkQuality: s.networkQuality };
  }

  async connect(): Promise<void> {
    if (!this.dispatch({ type: 'connect' })) return;
    const signaling = new SignalingClient({
      server: this.options.server,
      token: this.options.token,
      ...(this.options.environment ? { environment: this.options.environment } : {}),
      ...(this.options.iceTransportPolicy ? { iceTransportPolicy: this.options.iceTransportPolicy } : {}),
      ...(this.options.socketFactory ? { socketFactory: this.options.socketFactory } : {}),
      ...(this.options.reconnectGraceMs !== undefined ? { reconnectGraceMs: this.options.reconnectGraceMs } : {}),
    });
    this.signaling = signaling;
    signaling.on((n) => this.onNotification(n));
    signaling.onClose = (error) => {
      this.endActivity();
      this.dispatch({ type: 'connection_lost', ...(error ? { error: toError(error) } : {}) });
    };
    this.unwatchNetwork = watchReconnection(signaling, {
      interrupted: () => this.dispatch({ type: 'connection_interrupted', at: Date.now() }),
      resumed: (welcome) => {
        this.grants = welcome.grants;
        if (!welcome.resumed) return this.giveUpResume(true);
        if (this.leaveOnResume) void this.request().request('room.leave', {}).catch(() => undefined);
        this.leaveOnResume = false;
        this.dispatch({ type: 'resumed' });
        // The media path may have changed with the network: new ICE credentials for both transports.
        void this.session?.restartIce().catch((e) => this.emit({ type: 'error', error: toError(e) }));
      },
      graceExpired: () => this.giveUpResume(false),
    });
    try {
      const welcome = await signaling.connect();
      this.grants = welcome.grants;
      this.dispatch({ type: 'connected', me: welcome.user });
      this.refreshRecent();
    } catch (error) {
      this.dispatch({ type: 'connection_lost', error: toError(error) });
      this.emit({ type: 'error', error: toError(error) });
    }
  }

  /** Moves the open connection to a new token of the same user (before the old one expires): nothing stops. */
  async renewToken(token: string): Promise<void> {
    const signaling = this.signaling;
    if (!signaling) throw new SignalingError('connection_closed', 'not connected');
    await signaling.renewToken(token);
    await this.session?.updateIceServers();
  }

  disconnect(): void {
    this.devices.stopPreview();
    this.unwatchNetwork?.();
    this.unwatchNetwork = undefined;
    this.endActivity();
    this.signaling?.close();
    this.signaling = undefined;
    this.dispatch({ type: 'connection_lost' });
  }

  async dial(callees: string[], video: boolean): Promise<void> {
    if (!this.dispatch({ type: 'dial', callees, video })) return;
    const token = ++this.activity;
    const local = this.openLocal(video);
    this.loadMediaModule();
    try {
      const { call, room } = await this.request().request('call.dial', { callees, video });
      if (token !== this.activity) return;
      this.dispatch({ type: 'dialed', call });
      this.emit({ type: 'outgoing', call });
      await this.startMedia(token, room, local);
    } catch (error) {
      if (token !== this.activity) return;
      const callId = this.currentCallId();
      if (callId) void this.request().request('call.cancel', { callId }).catch(() => undefined);
      this.fail(error);
    }
  }

  async accept(video: boolean): Promise<void> {
    const state = this.state;
    if (state.status !== 'incoming' || !this.dispatch({ type: 'accept', video })) return;
    const token = ++this.activity;
    const local = this.openLocal(video);
    try {
      const { room } = await this.request().request('call.accept', { callId: state.call.callId, video });
      if (token !== this.activity) return;
      await this.startMedia(token, room, local);
    } catch (error) {
      if (token !== this.activity) return;
      void this.request().request('call.hangup', { callId: state.call.callId }).catch(() => undefined);
      this.fail(error);
    }
  }

  async decline(): Promise<void> {
    if (this.state.status !== 'incoming') return;
    const { callId, sessionId } = this.state.call;
    await this.request().request('call.decline', { callId }).catch((e) => this.fail(e));
    // The server tells our other devices (declined); this one ends here.
    this.dispatch({ type: 'ended', ended: { callId, ...(sessionId ? { sessionId } : {}), reason: 'declined', durationMs: 0 } });
  }

  async cancel(): Promise<void> {
    const callId = this.currentCallId();
    if (this.state.status !== 'outgoing' || !callId) return;
    await this.request().request('call.cancel', { callId }).catch((e) => this.fail(e));
  }

  async hangup(): Promise<void> {
    const state = this.state;
    if (state.status === 'reconnecting') return 'activity' in state.prior ? this.endWhileOffline(state.prior.activity) : undefined;
    if (state.status === 'outgoing') return this.cancel();
    if (state.status === 'incoming') return this.decline();
    if (state.status !== 'in-call' && state.status !== 'joining') return;
    if (state.activity.kind === 'room') return this.leave();
    await this.request()
      .request('call.hangup', { callId: state.activity.id })
      .catch(() => this.endWhileOffline(state.activity));
  }

  /** Hanging up without a connection: end here now, and leave on the server once the connection resumes. */
  private endWhileOffline(a: Activity): void {
    this.leaveOnResume = true;
    this.endActivity();
    if (a.kind === 'room') this.dispatch({ type: 'left_room' });
    else this.dispatch({ type: 'ended', ended: { callId: a.id, ...(a.sessionId ? { sessionId: a.sessionId } : {}), reason: 'hangup', durationMs: Date.now() - (a.connectedAt ?? Date.now()) } });
  }

  /** Rings more people into the current call. */
  async invite(userIds: string[]): Promise<void> {
    const callId = this.currentCallId();
    if (!callId || this.state.status !== 'in-call') return;
    await this.request().request('call.invite', { callId, callees: userIds }).catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  /** Joins (or creates) a conference room, or a live room (`live`: hosts publish, the audience watches). */
  async join(roomId: string, video: boolean, kind: 'conference' | 'live' = 'conference'): Promise<void> {
    if (!this.dispatch({ type: 'join_room', roomId, video })) return;
    const token = ++this.activity;
    // The audience of a live room (no publish grant or not an admin) opens no camera or microphone.
    const publishes = this.grants.canPublish && (kind === 'conference' || this.grants.roomAdmin);
    const local = publishes ? this.openLocal(video) : Promise.resolve(undefined);
    this.loadMediaModule();
    try {
      const room = await this.request().request('room.join', { roomId, kind, video: video && publishes });
      if (token !== this.activity) return;
      await this.startMedia(token, room, local);
    } catch (error) {
      if (token !== this.activity) return;
      void this.request().request('room.leave', {}).catch(() => undefined);
      this.fail(error);
    }
  }

  async leave(): Promise<void> {
    this.endActivity();
    await this.request().request('room.leave', {}).catch(() => (this.leaveOnResume = true));
    this.dispatch({ type: 'left_room' });
  }

  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  async setMicEnabled(on: boolean): Promise<void> {
    this.pendingMic = on;
    this.emit(undefined);
    await this.session?.setMicEnabled(on).catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  async setCameraEnabled(on: boolean): Promise<void> {
    this.pendingCamera = on;
    this.emit(undefined);
    await this.session?.setCameraEnabled(on).catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  async startScreenShare(): Promise<void> {
    await this.session?.startScreenShare().catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  async stopScreenShare(): Promise<void> {
    await this.session?.stopScreenShare();
  }

  /** Room admins: mute someone's mic or camera, remove someone (or let them back in), or move a live-room viewer on/off stage. */
  async moderate(action: ModerationAction, userId: string): Promise<void> {
    const s = this.request();
    const done =
      action === 'remove'
        ? s.request('room.removeParticipant', { userId })
        : action === 'allow'
          ? s.request('room.allowParticipant', { userId })
          : action === 'to-stage' || action === 'to-audience'
          ? s.request('room.setRole', { userId, role: action === 'to-stage' ? 'host' : 'audience' })
          : s.request('room.muteParticipant', { userId, source: action === 'mute-mic' ? 'mic' : 'camera' });
    await done.catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  setTileViews(views: TileView[]): void {
    this.session?.setTileViews(views);
  }

  remotes(): RemoteParticipant[] {
    return this.session?.remotes() ?? [];
  }

  async getStats(): Promise<MediaStats> {
    return this.session ? this.session.getStats() : emptyMediaStats();
  }

  private prepareWhileRinging(callId: string, routerRtpCapabilities: unknown): void {
    this.preparation.start(callId, routerRtpCapabilities, () => this.currentCallId() === callId);
  }

  /** Reloads the recent calls (after connecting and whenever a call ends), then re-renders. */
  private refreshRecent(): void {
    const me = 'me' in this.state ? this.state.me : undefined;
    if (!me || !this.signaling) return;
    this.recent.refresh(this.signaling, me.userId).then(() => this.emit(undefined), () => undefined);
  }

  /** The call's camera and microphone: the devices chosen in pre-join (the preview is released first). */
  private openLocal(video: boolean): Promise<MediaStream> {
    this.devices.stopPreview();
    const local = openLocalMedia({ video, resolution: this.options.videoResolution ?? '720p', ...this.devices.constraints() });
    local.catch(() => undefined);
    return local;
  }

  private loadMediaModule(): Promise<MediaModule> {
    this.mediaModule ??= (this.options.loadMedia ?? (() => import('./media-client')))();
    return this.mediaModule;
  }

  private async startMedia(token: number, room: RoomJoined, local: Promise<MediaStream | undefined>): Promise<void> {
    const mod = await this.loadMediaModule();
    const prepared = await this.preparation.take(mod, room.routerRtpCapabilities);
    if (token !== this.activity) {
      prepared.media?.close();
      return void local.then(stopStream, () => undefined);
    }
    const session = new RoomSession(this.request(), mod, this.grants, 'me' in this.state ? this.state.me?.userId ?? '' : '', this.options.videoResolution ?? '720p');
    session.micEnabled = this.pendingMic;
    session.cameraEnabled = this.pendingCamera;
    session.onChange = () => this.emit(undefined);
    session.onError = (e) => this.emit({ type: 'error', error: toError(e) });
    this.session = session;
    for (const n of this.early.splice(0)) session.handle(n);
    // In the call as soon as the others are being received: your own camera and mic keep starting meanwhile.
    const ready = () => {
      if (token === this.activity) this.dispatch({ type: 'media_ready', sessionId: room.sessionId, at: Date.now() });
    };
    await session.start(room, local, prepared, ready);
    ready();
  }

  private onNotification(n: Parameters<Parameters<SignalingClient['on']>[0]>[0]): void {
    switch (n.type) {
      case 'call.incoming':
        if (this.dispatch({ type: 'incoming', call: n.call })) {
          // Prepare while it rings (device and transports), so accepting only has to produce and consume.
          this.prepareWhileRinging(n.call.callId, n.routerRtpCapabilities);
        }
        return;
      case 'call.state':
        this.dispatch({ type: 'call_updated', call: n.call });
        return;
      case 'call.ended':
        if (this.currentCallId() === n.callId) {
          this.endActivity();
          this.dispatch({ type: 'ended', ended: { callId: n.callId, ...(n.sessionId ? { sessionId: n.sessionId } : {}), reason: n.reason, durationMs: n.durationMs } });
        }
        this.refreshRecent(); // the call is on the record now (perhaps as a missed one)
        return;
      case 'session.tokenExpiring':
        this.emit({ type: 'token-expiring', expiresAt: n.expiresAt });
        return;
      case 'media.reset':
        // The room moved to another media worker. In a room, its session sets media up again; while ringing,
        // what was prepared is gone: prepare again on the new router.
        if (this.session) this.session.resetMedia(n.routerRtpCapabilities);
        else if (this.state.status === 'incoming') this.prepareWhileRinging(this.state.call.callId, n.routerRtpCapabilities);
        return;
      case 'room.closed':
        this.fail(new SignalingError(n.reason === 'removed' ? 'forbidden' : 'media_error', n.reason === 'removed' ? 'a room admin removed you from the room' : 'the room ended because its media server failed'));
        return;
      default: {
        // Room and media notifications belong to the room session (queued until it exists).
        if (this.session) this.session.handle(n);
        else if (this.state.status === 'outgoing' || this.state.status === 'joining') this.early.push(n);
      }
    }
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
    if (busy) this.endActivity();
    this.dispatch({ type: 'resume_failed', at: Date.now() });
  }

  private currentCallId(): string | undefined {
    const s = this.state;
    if (s.status === 'reconnecting') return undefined;
    if (s.status === 'incoming') return s.call.callId;
    if (s.status === 'outgoing' || s.status === 'joining' || s.status === 'in-call') return s.activity.id || undefined;
    return undefined;
  }

  private request(): SignalingClient {
    if (!this.signaling) throw new SignalingError('connection_closed', 'not connected');
    return this.signaling;
  }

  private fail(error: unknown): void {
    this.endActivity();
    this.dispatch({ type: 'failed', error: toError(error) });
  }

  /** Releases everything of the current call or room; idempotent. */
  private endActivity(): void {
    this.activity += 1;
    this.session?.close();
    this.session = undefined;
    this.early = [];
    this.preparation.discard();
    this.pendingMic = true;
    this.pendingCamera = true;
  }
}
