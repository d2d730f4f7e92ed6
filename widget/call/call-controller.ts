import type { CallEnded, CallInfo, Environment, ProducerInfo, ProtocolError, RoomJoined } from '../../protocol';
import type { CallEngine } from './engine';
import { type CallMachineEvent, type CallMachineState, type CallStatus, transition } from './call-machine';
import type { MediaClient, MediaStats, RemoteMedia } from './media-client';
import type * as MediaModuleNamespace from './media-client';
import { openLocalMedia, stopStream } from './local-media';
import { SignalingClient, SignalingError, type SocketFactory } from './signaling-client';

type MediaModule = typeof MediaModuleNamespace;
type Device = Awaited<ReturnType<MediaModule['MediaClient']['loadDevice']>>;

export interface CallControllerOptions {
  server: string;
  token: string;
  environment?: Environment;
  socketFactory?: SocketFactory;
  /** How the media chunk is loaded (tests may substitute it). */
  loadMedia?: () => Promise<MediaModule>;
}

export type ControllerEvent =
  | { type: 'state-change'; state: CallStatus }
  | { type: 'incoming'; call: CallInfo }
  | { type: 'outgoing'; call: CallInfo }
  | { type: 'connected'; callId: string; sessionId: string }
  | { type: 'ended'; ended: CallEnded }
  | { type: 'error'; error: ProtocolError };

export interface RemoteParticipant extends RemoteMedia {
  name?: string;
}

const toError = (error: unknown): ProtocolError =>
  error instanceof SignalingError ? { code: error.code, message: error.message } : { code: 'internal', message: (error as Error)?.message ?? String(error) };

/**
 * The one orchestrator of the widget engine: signaling, the pure call state machine and media. The element
 * only reads `state`/`localStream`/`remotes()` and calls the intent methods. Everything asynchronous checks
 * `activity` so a late result of an old call can never touch a new one.
 */
export class CallController implements CallEngine {
  state: CallMachineState = { status: 'disconnected' };
  localStream: MediaStream | undefined;
  micEnabled = true;
  cameraEnabled = true;
  private signaling: SignalingClient | undefined;
  private media: MediaClient | undefined;
  private mediaModule: Promise<MediaModule> | undefined;
  private preparedDevice: Promise<Device> | undefined;
  /** Transports created while ringing (callee), used by accept. */
  private preparedMedia: Promise<MediaClient | undefined> | undefined;
  private queuedProducers: ProducerInfo[] = [];
  private names = new Map<string, string>();
  private activity = 0;
  private readonly listeners = new Set<(event: ControllerEvent | undefined) => void>();

  constructor(private readonly options: CallControllerOptions) {}

  /** Listener gets every event, and `undefined` for a plain re-render (media changed). */
  subscribe(listener: (event: ControllerEvent | undefined) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  get status(): CallStatus {
    return this.state.status;
  }

  async connect(): Promise<void> {
    if (!this.dispatch({ type: 'connect' })) return;
    const signaling = new SignalingClient({
      server: this.options.server,
      token: this.options.token,
      ...(this.options.environment ? { environment: this.options.environment } : {}),
      ...(this.options.socketFactory ? { socketFactory: this.options.socketFactory } : {}),
    });
    this.signaling = signaling;
    signaling.on((n) => this.onNotification(n));
    signaling.onClose = (error) => {
      this.endActivity();
      this.dispatch({ type: 'connection_lost', ...(error ? { error: toError(error) } : {}) });
    };
    try {
      const welcome = await signaling.connect();
      this.dispatch({ type: 'connected', me: welcome.user });
    } catch (error) {
      this.dispatch({ type: 'connection_lost', error: toError(error) });
      this.emit({ type: 'error', error: toError(error) });
    }
  }

  disconnect(): void {
    this.endActivity();
    this.signaling?.close();
    this.signaling = undefined;
    this.dispatch({ type: 'connection_lost' });
  }

  async dial(callees: string[], video: boolean): Promise<void> {
    if (!this.dispatch({ type: 'dial', callees, video })) return;
    const token = ++this.activity;
    const local = openLocalMedia({ video });
    local.catch(() => undefined);
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
    const local = openLocalMedia({ video });
    local.catch(() => undefined);
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
    if (state.status === 'outgoing') return this.cancel();
    if (state.status === 'incoming') return this.decline();
    if (state.status !== 'in-call' && state.status !== 'joining') return;
    if (state.activity.kind === 'room') return this.leave();
    const callId = state.activity.id;
    try {
      await this.request().request('call.hangup', { callId });
    } catch {
      // The server is unreachable: end locally; it ends our side when the socket drops.
      this.endActivity();
      this.dispatch({ type: 'ended', ended: { callId, ...(state.activity.sessionId ? { sessionId: state.activity.sessionId } : {}), reason: 'hangup', durationMs: Date.now() - (state.activity.connectedAt ?? Date.now()) } });
    }
  }

  /** Joins (or creates) a conference room. */
  async join(roomId: string, video: boolean): Promise<void> {
    if (!this.dispatch({ type: 'join_room', roomId, video })) return;
    const token = ++this.activity;
    const local = openLocalMedia({ video });
    local.catch(() => undefined);
    this.loadMediaModule();
    try {
      const room = await this.request().request('room.join', { roomId });
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
    await this.request().request('room.leave', {}).catch(() => undefined);
    this.dispatch({ type: 'left_room' });
  }

  dismiss(): void {
    this.dispatch({ type: 'dismiss' });
  }

  async setMicEnabled(on: boolean): Promise<void> {
    this.micEnabled = on;
    this.localStream?.getAudioTracks().forEach((t) => (t.enabled = on));
    this.emit(undefined);
    await this.media?.setSourceEnabled('mic', on).catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  async setCameraEnabled(on: boolean): Promise<void> {
    this.cameraEnabled = on;
    this.localStream?.getVideoTracks().forEach((t) => (t.enabled = on));
    this.emit(undefined);
    await this.media?.setSourceEnabled('camera', on).catch((e) => this.emit({ type: 'error', error: toError(e) }));
  }

  remotes(): RemoteParticipant[] {
    return (this.media?.remotes() ?? []).map((r) => {
      const name = this.names.get(r.userId);
      return name ? { ...r, name } : r;
    });
  }

  async getStats(): Promise<MediaStats> {
    return this.media ? this.media.getStats() : { framesDecoded: {}, audioPacketsReceived: {}, videoTracksSent: 0 };
  }

  private prepareWhileRinging(callId: string, routerRtpCapabilities: unknown): void {
    const device = this.loadMediaModule().then((m) => m.MediaClient.loadDevice(routerRtpCapabilities));
    this.preparedDevice = device;
    this.preparedMedia = (async () => {
      const [mod, loaded] = await Promise.all([this.loadMediaModule(), device]);
      await this.request().request('call.prepare', { callId });
      // Still this call (ringing, or accepted meanwhile)? Otherwise the server already dropped it.
      if (this.currentCallId() !== callId) return undefined;
      return mod.MediaClient.open(this.request(), loaded, { send: true });
    })().catch(() => undefined); // preparing is an optimisation: accept falls back to doing it all
    device.catch(() => undefined);
  }

  private loadMediaModule(): Promise<MediaModule> {
    this.mediaModule ??= (this.options.loadMedia ?? (() => import('./media-client')))();
    return this.mediaModule;
  }

  private async startMedia(token: number, room: RoomJoined, local: Promise<MediaStream>): Promise<void> {
    for (const p of room.participants) if (p.name) this.names.set(p.userId, p.name);
    const mod = await this.loadMediaModule();
    const prepared = await this.preparedMedia;
    this.preparedMedia = undefined;
    const device = prepared ? undefined : await (this.preparedDevice ?? mod.MediaClient.loadDevice(room.routerRtpCapabilities));
    this.preparedDevice = undefined;
    const stream = await local;
    if (token !== this.activity) {
      prepared?.close();
      return stopStream(stream);
    }
    this.localStream = stream;
    stream.getAudioTracks().forEach((t) => (t.enabled = this.micEnabled));
    stream.getVideoTracks().forEach((t) => (t.enabled = this.cameraEnabled));
    const media = prepared ?? (await mod.MediaClient.open(this.request(), device!, { send: true }));
    if (token !== this.activity) return media.close();
    this.media = media;
    media.onChange = () => this.emit(undefined);
    await media.publish(stream);
    if (!this.micEnabled) await media.setSourceEnabled('mic', false);
    if (!this.cameraEnabled) await media.setSourceEnabled('camera', false);
    const producers = [...room.producers, ...this.queuedProducers];
    this.queuedProducers = [];
    await Promise.all(producers.map((p) => media.consume(p)));
    if (token !== this.activity) return;
    this.dispatch({ type: 'media_ready', sessionId: room.sessionId, at: Date.now() });
  }

  private onNotification(n: Parameters<Parameters<SignalingClient['on']>[0]>[0]): void {
    switch (n.type) {
      case 'call.incoming':
        if (this.dispatch({ type: 'incoming', call: n.call })) {
          if (n.call.caller.name) this.names.set(n.call.caller.userId, n.call.caller.name);
          // Prepare while it rings (device and transports), so accepting only has to produce and consume.
          this.prepareWhileRinging(n.call.callId, n.routerRtpCapabilities);
        }
        return;
      case 'call.state':
        this.dispatch({ type: 'call_updated', call: n.call });
        return;
      case 'call.ended':
        if (this.isCurrentCall(n.callId)) {
          this.endActivity();
          this.dispatch({ type: 'ended', ended: { callId: n.callId, ...(n.sessionId ? { sessionId: n.sessionId } : {}), reason: n.reason, durationMs: n.durationMs } });
        }
        return;
      case 'room.participantJoined':
        if (n.participant.name) this.names.set(n.participant.userId, n.participant.name);
        this.emit(undefined);
        return;
      case 'room.participantLeft':
        this.media?.removeUser(n.userId);
        return;
      case 'room.closed':
        this.endActivity();
        this.fail(new SignalingError('media_error', 'the room ended because its media server failed'));
        return;
      case 'media.producerAdded':
        if (this.media) this.media.consume(n.producer).catch((e) => this.emit({ type: 'error', error: toError(e) }));
        else this.queuedProducers.push(n.producer);
        return;
      case 'media.producerClosed':
        this.queuedProducers = this.queuedProducers.filter((p) => p.producerId !== n.producerId);
        return;
      case 'media.consumerClosed':
        this.media?.removeConsumer(n.consumerId);
        return;
      case 'media.producerState':
        this.media?.setRemotePaused(n.producerId, n.paused);
        return;
    }
  }

  private isCurrentCall(callId: string): boolean {
    const s = this.state;
    if (s.status === 'incoming') return s.call.callId === callId;
    return (s.status === 'outgoing' || s.status === 'joining' || s.status === 'in-call') && s.activity.id === callId;
  }

  private currentCallId(): string | undefined {
    const s = this.state;
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
    this.media?.close();
    this.media = undefined;
    stopStream(this.localStream);
    this.localStream = undefined;
    this.queuedProducers = [];
    this.preparedDevice = undefined;
    void this.preparedMedia?.then((m) => m?.close());
    this.preparedMedia = undefined;
    this.micEnabled = true;
    this.cameraEnabled = true;
  }

  private dispatch(event: CallMachineEvent): boolean {
    const prev = this.state;
    const next = transition(prev, event);
    if (next === prev) return false;
    this.state = next;
    if (next.status === 'incoming' && prev.status !== 'incoming') this.emit({ type: 'incoming', call: next.call });
    if (next.status === 'in-call' && prev.status !== 'in-call') {
      this.emit({ type: 'connected', callId: next.activity.id, sessionId: next.activity.sessionId ?? '' });
    }
    if (next.status === 'ended') this.emit({ type: 'ended', ended: next.ended });
    if (next.status === 'error') this.emit({ type: 'error', error: next.error });
    if (next.status !== prev.status) this.emit({ type: 'state-change', state: next.status });
    else this.emit(undefined);
    return true;
  }

  private emit(event: ControllerEvent | undefined): void {
    for (const l of this.listeners) l(event);
  }
}
