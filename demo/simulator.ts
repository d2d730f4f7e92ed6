import type { CallInfo, ParticipantInfo, RecentCall } from '../protocol';
import type { CallMachineEvent } from '../widget/call/call-machine';
import { CallStateHost } from '../widget/call/state-host';
import { SimulatedDevices } from './simulated-devices';
import type { CallEngine, CallMachineState, MediaStats, RemoteParticipant, RoomView, TileView } from '../widget/call/engine';

export const ME: ParticipantInfo = { userId: 'alice', name: 'Alice' };

export function sampleCall(overrides: Partial<CallInfo> = {}): CallInfo {
  return { callId: 'call-1', caller: { userId: 'bob', name: 'Bob' }, callees: ['alice'], video: true, phase: 'ringing', sessionId: 'session-1', ...overrides };
}

/**
 * A server-less engine for the demo and component tests: the real pure state machine, scripted replies and
 * fake media (a canvas stream per remote participant). Intents behave like the real ones, only simulated.
 */
export class SimulatedEngine extends CallStateHost implements CallEngine {
  localStream: MediaStream | undefined;
  screenStream: MediaStream | undefined;
  grants = { canPublish: true, canSubscribe: true, roomAdmin: true };
  room: RoomView | undefined = { role: 'participant', audienceCount: 0, activeSpeaker: null, networkQuality: 'good' };
  /** The last tile views the element reported (for tests of what the grid renders). */
  views: TileView[] = [];
  moderated: string[] = [];
  micEnabled = true;
  /** Fake cameras, microphones and speakers; the preview is an empty stream unless a story gives one. */
  devices = new SimulatedDevices(() => this.emit(undefined), () => new MediaStream());
  /** A story's recent calls; `missedCount` is what the badge shows until the list is opened. */
  recent = { calls: [] as RecentCall[], missedCount: 0, markSeen() { this.missedCount = 0; } };
  cameraEnabled = true;
  private remoteList: RemoteParticipant[];

  constructor(
    state: CallMachineState,
    remotes: RemoteParticipant[] = [],
    private readonly delayMs = 400,
  ) {
    super(state);
    this.remoteList = remotes;
  }

  async connect(): Promise<void> {}
  disconnect(): void {}

  async dial(callees: string[], video: boolean): Promise<void> {
    this.apply({ type: 'dial', callees, video });
    await this.later();
    this.apply({ type: 'dialed', call: sampleCall({ caller: ME, callees, video, callId: 'call-sim' }) });
  }

  async accept(video: boolean): Promise<void> {
    this.apply({ type: 'accept', video });
    await this.later();
    this.apply({ type: 'media_ready', sessionId: 'session-1', at: Date.now() });
  }

  async decline(): Promise<void> {
    if (this.state.status === 'incoming') this.apply({ type: 'ended', ended: { callId: this.state.call.callId, reason: 'declined', durationMs: 0 } });
  }

  async cancel(): Promise<void> {
    if (this.state.status === 'outgoing') this.apply({ type: 'ended', ended: { callId: this.state.activity.id, reason: 'cancelled', durationMs: 0 } });
  }

  async hangup(): Promise<void> {
    const s = this.state;
    if (s.status === 'in-call') this.apply({ type: 'ended', ended: { callId: s.activity.id, reason: 'hangup', durationMs: Date.now() - (s.activity.connectedAt ?? Date.now()) } });
    else if (s.status === 'outgoing') await this.cancel();
  }

  async join(roomId: string, video: boolean): Promise<void> {
    this.apply({ type: 'join_room', roomId, video });
    await this.later();
    this.apply({ type: 'media_ready', sessionId: 'session-1', at: Date.now() });
  }

  async invite(userIds: string[]): Promise<void> {
    const s = this.state;
    if (s.status === 'in-call' && s.activity.call) this.apply({ type: 'call_updated', call: { ...s.activity.call, callees: [...s.activity.call.callees, ...userIds] } });
  }

  async startScreenShare(): Promise<void> {
    this.screenStream = new MediaStream();
    this.emit(undefined);
  }

  async stopScreenShare(): Promise<void> {
    this.screenStream = undefined;
    this.emit(undefined);
  }

  /** The simulator has no server: a renewed token changes nothing. */
  async renewToken(_token: string): Promise<void> {}

  async moderate(action: string, userId: string): Promise<void> {
    this.moderated.push(`${action}:${userId}`);
    if (action === 'remove') this.setRemotes(this.remoteList.filter((r) => r.userId !== userId));
  }

  setTileViews(views: TileView[]): void {
    this.views = views;
  }

  setActiveSpeaker(userId: string | null): void {
    if (this.room) this.room = { ...this.room, activeSpeaker: userId };
    this.remoteList = this.remoteList.map((r) => ({ ...r, speaking: r.userId === userId }));
    this.emit(undefined);
  }

  setNetworkQuality(networkQuality: RoomView['networkQuality']): void {
    if (this.room) this.room = { ...this.room, networkQuality };
    this.emit(undefined);
  }

  async leave(): Promise<void> {
    this.apply({ type: 'left_room' });
  }

  dismiss(): void {
    this.apply({ type: 'dismiss' });
  }

  async setMicEnabled(on: boolean): Promise<void> {
    this.micEnabled = on;
    this.emit(undefined);
  }

  async setCameraEnabled(on: boolean): Promise<void> {
    this.cameraEnabled = on;
    this.emit(undefined);
  }

  remotes(): RemoteParticipant[] {
    return this.remoteList;
  }

  setRemotes(remotes: RemoteParticipant[]): void {
    this.remoteList = remotes;
    this.emit(undefined);
  }

  async getStats(): Promise<MediaStats> {
    return { audio: {}, video: {}, framesDecoded: {}, audioPacketsReceived: {}, videoTracksSent: 0 };
  }

  /** Feeds an event straight into the machine (e.g. an incoming call). */
  apply(event: CallMachineEvent): void {
    this.dispatch(event);
  }

  private later(): Promise<void> {
    return new Promise((r) => setTimeout(r, this.delayMs));
  }
}
