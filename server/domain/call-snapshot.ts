import type { CallInfo, ParticipantInfo } from '../../protocol';
import type { CallState, InviteeStatus } from './call-machine';
import { userKey } from './ring-budget';

/**
 * A live call as plain data: what a cluster keeps in Redis at every change, so that when the node holding the
 * call dies another node can continue it (same CallID, caller, invitees and phase; a new room session).
 */
export interface CallSnapshot {
  tenantKey: string;
  callId: string;
  caller: ParticipantInfo;
  video: boolean;
  requested: string[];
  state: { phase: 'ringing' | 'connected'; callerId: string; callerIn: boolean; invitees: [string, InviteeStatus][]; connectedAt?: number };
}

export function snapshotOf(call: { tenantKey: string; callId: string; caller: ParticipantInfo; video: boolean; requested: string[]; state: CallState }): CallSnapshot | undefined {
  const { state } = call;
  if (state.phase === 'ended') return undefined;
  return {
    tenantKey: call.tenantKey,
    callId: call.callId,
    caller: call.caller,
    video: call.video,
    requested: [...call.requested],
    state: { phase: state.phase, callerId: state.callerId, callerIn: state.callerIn, invitees: [...state.invitees], ...(state.connectedAt !== undefined ? { connectedAt: state.connectedAt } : {}) },
  };
}

export function stateOf(snapshot: CallSnapshot): CallState {
  const { state } = snapshot;
  return { phase: state.phase, callerId: state.callerId, callerIn: state.callerIn, invitees: new Map(state.invitees), ...(state.connectedAt !== undefined ? { connectedAt: state.connectedAt } : {}) };
}

/** Who was in the call (not merely rung): on a continued call, those who do not come back have left. */
export function peopleIn(state: CallState): string[] {
  return [...(state.callerIn ? [state.callerId] : []), ...[...state.invitees].filter(([, s]) => s === 'joined').map(([u]) => u)];
}

type CallLike = { callId: string; caller: ParticipantInfo; video: boolean; requested: string[]; state: CallState };

/** The call as clients see it (call.state, responses). */
export function callInfoOf(call: CallLike, sessionId: string): CallInfo {
  return {
    callId: call.callId,
    caller: call.caller,
    callees: [...new Set([...call.requested, ...call.state.invitees.keys()])],
    invitees: Object.fromEntries(call.state.invitees),
    video: call.video,
    phase: call.state.phase,
    sessionId,
    ...(call.state.connectedAt !== undefined ? { connectedAt: call.state.connectedAt } : {}),
  };
}

/**
 * Everyone live calls hold — callers, and invitees ringing or joined — as `userKey`s: a draining server moves
 * every other client away and keeps these until their calls end.
 */
export function involvedUsers(calls: Iterable<{ tenantKey: string; state: CallState }>): Set<string> {
  const users = new Set<string>();
  for (const { tenantKey, state } of calls) {
    if (state.callerIn) users.add(userKey(tenantKey, state.callerId));
    for (const [userId, status] of state.invitees) if (status === 'ringing' || status === 'joined') users.add(userKey(tenantKey, userId));
  }
  return users;
}

/** Live calls by phase (for /metrics). */
export function countByPhase(calls: Iterable<{ state: CallState }>): { ringing: number; connected: number } {
  const counts = { ringing: 0, connected: 0 };
  for (const { state } of calls) if (state.phase !== 'ended') counts[state.phase] += 1;
  return counts;
}
