import { randomUUID } from 'node:crypto';
import { broadcast } from './room-notifier';
import type { CallEndReason, CallInfo, ParticipantInfo } from '../../protocol';
import { ServiceError } from '../errors';
import { type CallEvent, type CallState, callDuration, initialCallState, transition } from './call-machine';
import type { LifecycleEvent, LifecycleSink } from './lifecycle';
import type { ClientLink } from './links';
import type { UserDirectory } from './user-directory';
import type { Room, RoomRegistry } from './rooms';
import { RingBudget, type RingLimiter, userKey } from './ring-budget';
import { type CallSnapshot, callInfoOf, peopleIn, snapshotOf, stateOf } from './call-snapshot';

export { userKey };

interface LiveCall {
  tenantKey: string;
  callId: string;
  caller: ParticipantInfo;
  callerLink: ClientLink;
  video: boolean;
  /** Who the caller asked for (invitees are added once their reachability is known). */
  requested: string[];
  room: Room;
  state: CallState;
  ringTimers: Map<string, NodeJS.Timeout>;
  /** The connections each invitee was rung on (local or relayed from another node): they hear when it stops. */
  rung: Map<string, ClientLink[]>;
}

/**
 * Where live calls are, for nodes that do not hold them (cluster: Redis). A call is registered before anything
 * rings, so an answer arriving at another node finds its way here; it is forgotten a minute after it ends.
 */
export interface CallRegistry {
  registered(tenantKey: string, callId: string): Promise<void>;
  /** After every change of a live call (a cluster keeps the snapshot to continue the call if this node dies). */
  changed(snapshot: CallSnapshot): void;
  /** The call ended: there is nothing left to continue. */
  ended(tenantKey: string, callId: string): void;
  unregistered(tenantKey: string, callId: string): void;
}

export interface CallServiceOptions {
  /** Ring timeout per tenant, in ms (from the app's environment settings). */
  ringTimeoutMs(link: ClientLink): number;
  /** Receives call.ringing / call.answered / call.ended (records and webhooks). */
  lifecycle?: LifecycleSink;
  registry?: CallRegistry;
  /** Where rings are counted (default: this node's memory). */
  rings?: RingLimiter;
  now?(): number;
}

/**
 * Orchestrates calls: the only place call side effects happen (rooms, rings, timers, notifications). Every
 * decision is made by the pure `transition` in call-machine.ts. CallID = RoomID: the dial creates the room
 * and the caller joins first; callees join it on accept.
 */
export class CallService {
  private readonly calls = new Map<string, LiveCall>();
  /** Recently ended calls, so a late accept gets "already ended", not "not found". */
  private readonly ended = new Map<string, LiveCall>();
  private readonly now: () => number;
  private readonly rings: RingLimiter;

  constructor(
    private readonly rooms: RoomRegistry,
    private readonly users: UserDirectory,
    private readonly options: CallServiceOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.rings = options.rings ?? new RingBudget(this.now);
  }

  async dial(link: ClientLink, callees: string[], video: boolean): Promise<{ call: CallInfo; room: Room }> {
    const { identity } = link;
    const unique = [...new Set(callees)];
    if (unique.includes(identity.userId)) throw new ServiceError('invalid_message', 'you cannot call yourself');
    if (!identity.grants.canPublish) throw new ServiceError('forbidden', 'your token may not publish, so it cannot call');
    await this.rings.take(identity.tenant, identity.userId, unique);
    const callId = randomUUID();
    const { room, participant } = await this.rooms.join(link, callId, 'call', { video });
    const call: LiveCall = {
      tenantKey: identity.tenant.key,
      callId,
      caller: participant.info,
      callerLink: link,
      video,
      requested: unique,
      room,
      state: initialCallState(identity.userId),
      ringTimers: new Map(),
      rung: new Map(),
    };
    try {
      await this.options.registry?.registered(call.tenantKey, callId);
    } catch {
      this.rooms.leave(link);
      throw new ServiceError('cluster_unavailable', 'the call could not be registered with the cluster; try again in a moment');
    }
    this.calls.set(this.key(call.tenantKey, callId), call);
    // Answer the dial before any ring or end notification reaches the caller.
    setImmediate(() => void this.ring(call, unique));
    return { call: this.info(call), room };
  }

  async accept(link: ClientLink, callId: string, video = true): Promise<{ call: CallInfo; room: Room }> {
    const call = this.find(link, callId);
    const { userId } = link.identity;
    const check = transition(call.state, { type: 'accept', userId, at: this.now() });
    if (!check.ok) throw new ServiceError(check.code, check.message);
    // Joining can fail (already in a room): do it before committing the transition.
    await this.rooms.join(link, callId, 'call', { video });
    const at = this.now();
    const result = this.apply(call, { type: 'accept', userId, at });
    this.emit(call, { type: 'call.answered', callId, sessionId: call.room.sessionId, answeredBy: userId, at });
    this.stopRinging(call, userId, link, 'answered_elsewhere');
    this.broadcastState(call);
    return { call: result, room: call.room };
  }

  /** A ringing callee's connection gets to set up transports in the call's room before answering. */
  prepare(link: ClientLink, callId: string): void {
    const call = this.find(link, callId);
    if (call.state.phase === 'ended' || call.state.invitees.get(link.identity.userId) !== 'ringing') {
      throw new ServiceError('invalid_state', 'you can only prepare a call that is ringing for you');
    }
    this.rooms.prepare(link, call.room);
  }

  decline(link: ClientLink, callId: string): void {
    const call = this.find(link, callId);
    const { userId } = link.identity;
    this.apply(call, { type: 'decline', userId, at: this.now() });
    this.stopRinging(call, userId, link, 'declined');
    this.afterChange(call);
  }

  cancel(link: ClientLink, callId: string): void {
    const call = this.find(link, callId);
    this.apply(call, { type: 'cancel', userId: link.identity.userId, at: this.now() });
    this.afterChange(call);
  }

  hangup(link: ClientLink, callId: string): void {
    const call = this.find(link, callId);
    if (this.rooms.roomOf(link) !== call.room) {
      throw new ServiceError('not_in_room', 'you are not in this call');
    }
    this.leave(call, link);
  }

  /**
   * The one way out of a room (room.leave, removal by an admin, a client gone for good): in a call's room it is
   * a hang-up (see leaveCurrentCall), any other room is simply left. False when the link was in no room.
   */
  leaveRoom(link: ClientLink, lost = false): boolean {
    if (!this.rooms.roomOf(link)) return false;
    if (!this.leaveCurrentCall(link, lost)) this.rooms.leave(link);
    return true;
  }

  /**
   * The link left its room (room.leave or disconnect): if that room is a call, this is a hang-up — or, when
   * its connection was `lost` and did not come back, the call ends with `connection_lost` if it cannot go on.
   */
  private leaveCurrentCall(link: ClientLink, lost = false): boolean {
    const room = this.rooms.roomOf(link);
    if (!room || room.kind !== 'call') return false;
    const call = this.calls.get(this.key(room.tenantKey, room.roomId));
    if (!call) return false;
    this.leave(call, link, lost);
    return true;
  }

  /** The room's media died with its worker: its call fails for everyone who was in it or ringing. */
  failRoom(room: Room, participants: ClientLink[]): void {
    const call = this.calls.get(this.key(room.tenantKey, room.roomId));
    if (!call) return;
    this.apply(call, { type: 'fail', at: this.now() });
    const payload = this.endedPayload(call, 'failed');
    for (const link of participants) link.notify('call.ended', payload);
    this.afterChange(call);
  }

  /**
   * The server stops and the drain is over: every call still ringing or connected ends with server_restart,
   * told to everyone in it or ringing, recorded and sent to webhooks like any other end. Returns how many.
   */
  endAllForShutdown(): number {
    const live = [...this.calls.values()];
    for (const call of live) {
      this.apply(call, { type: 'shutdown', at: this.now() });
      this.afterChange(call);
    }
    return live.length;
  }

  /** Server shutdown: stops every ring timer (the rooms are closed by the registry). */
  closeAll(): void {
    for (const call of this.calls.values()) {
      for (const timer of call.ringTimers.values()) clearTimeout(timer);
      call.ringTimers.clear();
    }
    this.calls.clear();
    this.ended.clear();
  }

  /** Every live call's state (drain keeps the people they hold, /metrics counts phases, a cluster re-registers them). */
  live(): { tenantKey: string; callId: string; state: CallState }[] {
    return [...this.calls.values()].map(({ tenantKey, callId, state }) => ({ tenantKey, callId, state }));
  }

  get activeCount(): number {
    return this.calls.size;
  }

  private leave(call: LiveCall, link: ClientLink, lost = false): void {
    this.apply(call, { type: 'leave', userId: link.identity.userId, at: this.now(), ...(lost ? { lost } : {}) });
    this.rooms.leave(link);
    link.notify('call.ended', this.endedPayload(call, call.state.endReason ?? 'hangup'));
    this.afterChange(call);
  }

  /** Someone in the call rings more people into the same room (multi-party). */
  async invite(link: ClientLink, callId: string, callees: string[]): Promise<CallInfo> {
    const call = this.find(link, callId);
    if (call.state.phase === 'ended') throw new ServiceError('invalid_state', 'the call has already ended');
    if (this.rooms.roomOf(link) !== call.room) throw new ServiceError('not_in_room', 'join the call before inviting');
    const fresh = [...new Set(callees)].filter((u) => !['ringing', 'joined'].includes(call.state.invitees.get(u) ?? '') && u !== call.state.callerId);
    if (fresh.length === 0) throw new ServiceError('invalid_state', 'everyone invited is already in or ringing');
    const check = transition(call.state, { type: 'invite', invitees: fresh.map((userId) => ({ userId, reachable: 'ringing' as const })), at: this.now() });
    if (!check.ok) throw new ServiceError(check.code, check.message);
    // Everyone a call ever rang, together: its records, recent-calls answers and webhooks stay bounded.
    const newcomers = fresh.filter((u) => !call.requested.includes(u)).length;
    const most = link.identity.tenant.settings.limits.maxPeoplePerCall;
    if (call.requested.length + newcomers > most) throw new ServiceError('limit_exceeded', `a call rings at most ${most} people in all`);
    await this.rings.take(link.identity.tenant, link.identity.userId, fresh);
    // The call may have ended while the rings were counted (a cluster counts in Redis).
    if (!this.calls.has(this.key(call.tenantKey, callId))) throw new ServiceError('invalid_state', 'the call has already ended');
    for (const u of fresh) if (!call.requested.includes(u)) call.requested.push(u);
    void this.ring(call, fresh);
    return this.info(call);
  }

  private async ring(call: LiveCall, userIds: string[]): Promise<void> {
    if (call.state.phase === 'ended') return;
    // Who is where may live on other nodes; a directory that cannot answer makes them unreachable, not the call crash.
    const reaches = await Promise.all(userIds.map((userId) => this.users.reach(call.tenantKey, userId).catch(() => ({ online: false, busy: false, links: [] }))));
    // The call may have ended (cancelled) while the directory answered.
    if ((call.state as CallState).phase === 'ended') return;
    const invitees = userIds.map((userId, i) => {
      const { online, busy } = reaches[i]!;
      return { userId, reachable: !online ? 'unavailable' : busy ? 'busy' : 'ringing' } as const;
    });
    const result = transition(call.state, { type: 'invite', invitees, at: this.now() });
    if (!result.ok) {
      this.apply(call, { type: 'fail', at: this.now() });
      this.afterChange(call);
      return;
    }
    call.state = result.state;
    this.emit(call, { type: 'call.ringing', callId: call.callId, sessionId: call.room.sessionId, caller: call.caller.userId, callees: userIds, video: call.video, at: this.now() });
    const timeout = this.options.ringTimeoutMs(call.callerLink);
    for (const [i, { userId, reachable }] of invitees.entries()) {
      if (reachable !== 'ringing') continue;
      const links = reaches[i]!.links;
      call.rung.set(userId, links);
      for (const calleeLink of links) {
        calleeLink.notify('call.incoming', { call: this.info(call), routerRtpCapabilities: call.room.media.rtpCapabilities });
      }
      call.ringTimers.set(userId, setTimeout(() => this.ringTimeout(call, userId), timeout));
    }
    this.afterChange(call);
  }

  private ringTimeout(call: LiveCall, userId: string): void {
    call.ringTimers.delete(userId);
    const result = transition(call.state, { type: 'ring_timeout', userId, at: this.now() });
    if (!result.ok) return;
    call.state = result.state;
    this.stopRinging(call, userId, undefined, 'no_answer');
    this.afterChange(call);
  }

  /** Tells every connection of `userId` except `except` that its ring is over. */
  private stopRinging(call: LiveCall, userId: string, except: ClientLink | undefined, reason: CallEndReason): void {
    clearTimeout(call.ringTimers.get(userId));
    call.ringTimers.delete(userId);
    for (const l of call.rung.get(userId) ?? []) {
      this.rooms.discardPrepared(l);
      if (l.id !== except?.id) l.notify('call.ended', this.endedPayload(call, reason));
    }
  }

  /** After any transition: if the call ended, tell everyone still involved and clean up. */
  private afterChange(call: LiveCall): void {
    if (call.state.phase !== 'ended') {
      this.broadcastState(call);
      return;
    }
    const reason = call.state.endReason ?? 'failed';
    const payload = this.endedPayload(call, reason);
    call.room.endsBecause(reason);
    this.emit(call, { type: 'call.ended', callId: call.callId, sessionId: call.room.sessionId, reason, durationMs: payload.durationMs, outcomes: Object.fromEntries(call.state.invitees), at: call.state.endedAt ?? this.now() });
    // Everyone still in the room, and everyone still ringing (they see the caller's reason, e.g. cancelled).
    const inRoom = [...call.room.participants.values()].map((p) => p.link);
    for (const l of inRoom) {
      l.notify('call.ended', payload);
      this.rooms.leave(l);
    }
    for (const [userId, timer] of call.ringTimers) {
      clearTimeout(timer);
      for (const l of call.rung.get(userId) ?? []) {
        this.rooms.discardPrepared(l);
        l.notify('call.ended', payload);
      }
    }
    call.ringTimers.clear();
    const key = this.key(call.tenantKey, call.callId);
    this.options.registry?.ended(call.tenantKey, call.callId);
    this.calls.delete(key);
    this.ended.set(key, call);
    setTimeout(() => {
      this.ended.delete(key);
      this.options.registry?.unregistered(call.tenantKey, call.callId);
    }, 60_000).unref();
  }

  private emit(call: LiveCall, event: LifecycleEvent): void {
    this.options.lifecycle?.(call.room.tenant, event);
  }

  private broadcastState(call: LiveCall): void {
    broadcast(call.room, 'call.state', { call: this.info(call) });
    const snapshot = snapshotOf(call);
    if (snapshot) this.options.registry?.changed(snapshot);
  }

  /**
   * A call whose node died, continued on this one (cluster failover): its state from the last snapshot, a new
   * room session that each participant rejoins as they come back; who is not back within `graceMs` has left.
   */
  async rejoin(link: ClientLink, snapshot: CallSnapshot, graceMs: number): Promise<Room> {
    const key = this.key(snapshot.tenantKey, snapshot.callId);
    const { room } = await this.rooms.join(link, snapshot.callId, 'call', { video: snapshot.video });
    let call = this.calls.get(key);
    if (!call) {
      const { tenantKey, callId, caller, video, requested } = snapshot;
      const created: LiveCall = { tenantKey, callId, caller, video, requested, callerLink: link, room, state: stateOf(snapshot), ringTimers: new Map(), rung: new Map() };
      this.calls.set(key, (call = created));
      setTimeout(() => {
        if (created.state.phase === 'ended') return;
        for (const userId of peopleIn(created.state)) {
          if (created.room.participants.has(userId)) continue;
          const left = transition(created.state, { type: 'leave', userId, at: this.now(), lost: true });
          if (left.ok) created.state = left.state;
        }
        this.afterChange(created);
      }, graceMs).unref();
    }
    this.broadcastState(call);
    return room;
  }

  private apply(call: LiveCall, event: CallEvent): CallInfo {
    const result = transition(call.state, event);
    if (!result.ok) throw new ServiceError(result.code, result.message);
    call.state = result.state;
    return this.info(call);
  }

  private find(link: ClientLink, callId: string): LiveCall {
    const key = this.key(link.identity.tenant.key, callId);
    const call = this.calls.get(key) ?? this.ended.get(key);
    // Strangers get the same answer whether or not the call exists: ids reveal nothing.
    const involved = call && (call.state.callerId === link.identity.userId || call.state.invitees.has(link.identity.userId));
    if (!call || !involved) throw new ServiceError('not_found', 'no such call for you');
    return call;
  }

  private key(tenantKey: string, callId: string): string {
    return `${tenantKey}/${callId}`;
  }

  private endedPayload(call: LiveCall, reason: CallEndReason): { callId: string; sessionId: string; reason: CallEndReason; durationMs: number } {
    return { callId: call.callId, sessionId: call.room.sessionId, reason, durationMs: callDuration(call.state) };
  }

  private info(call: LiveCall): CallInfo {
    return callInfoOf(call, call.room.sessionId);
  }
}
