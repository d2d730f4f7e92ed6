import type { CallEndReason, ErrorCode } from '../../protocol';
import { assertNever } from './assert';

/** Where each invited user stands. */
export type InviteeStatus = 'ringing' | 'joined' | 'left' | 'declined' | 'no_answer' | 'busy' | 'unavailable' | 'cancelled';

export interface CallState {
  phase: 'ringing' | 'connected' | 'ended';
  callerId: string;
  /** Whether the caller is still in the call. */
  callerIn: boolean;
  /** A Map, not an object: user ids are user-chosen strings (`__proto__` and `constructor` are ids too). */
  invitees: ReadonlyMap<string, InviteeStatus>;
  connectedAt?: number;
  endedAt?: number;
  endReason?: CallEndReason;
}

export type CallEvent =
  | { type: 'invite'; invitees: ReadonlyArray<{ userId: string; reachable: 'ringing' | 'busy' | 'unavailable' }>; at: number }
  | { type: 'accept'; userId: string; at: number }
  | { type: 'decline'; userId: string; at: number }
  | { type: 'ring_timeout'; userId: string; at: number }
  | { type: 'cancel'; userId: string; at: number }
  /** `lost`: the connection dropped and did not come back in time (ends the call with connection_lost). */
  | { type: 'leave'; userId: string; at: number; lost?: boolean }
  | { type: 'fail'; at: number }
  /** The server stops (drain deadline passed): the call ends for everyone with server_restart. */
  | { type: 'shutdown'; at: number };

export type TransitionResult = { ok: true; state: CallState } | { ok: false; code: ErrorCode; message: string };

export function initialCallState(callerId: string): CallState {
  return { phase: 'ringing', callerId, callerIn: true, invitees: new Map() };
}

const withStatus = (invitees: ReadonlyMap<string, InviteeStatus>, userId: string, status: InviteeStatus) => new Map(invitees).set(userId, status);

const reject = (code: ErrorCode, message: string): TransitionResult => ({ ok: false, code, message });

/** How many people are in the call's room right now. */
function inCall(state: CallState): number {
  return (state.callerIn ? 1 : 0) + [...state.invitees.values()].filter((s) => s === 'joined').length;
}

function ringing(state: CallState): string[] {
  return [...state.invitees].filter(([, s]) => s === 'ringing').map(([u]) => u);
}

/** Why a call that nobody answered ended, from what happened to its invitees (most telling first). */
function unansweredReason(invitees: ReadonlyMap<string, InviteeStatus>): CallEndReason {
  const statuses = [...invitees.values()];
  for (const s of ['declined', 'no_answer', 'busy', 'unavailable'] as const) if (statuses.includes(s)) return s;
  return 'no_answer';
}

/** Marks everyone still ringing as `cancelled` and ends the call. */
function end(state: CallState, reason: CallEndReason, at: number): CallState {
  const invitees = new Map([...state.invitees].map(([u, s]) => [u, s === 'ringing' ? 'cancelled' : s]));
  return { ...state, phase: 'ended', invitees, endedAt: at, endReason: reason };
}

/** Ends the call if it can no longer go on (`reason` when it ends connected); otherwise returns it unchanged. */
function settle(state: CallState, at: number, reason: CallEndReason = 'hangup'): CallState {
  if (state.phase === 'ringing' && ringing(state).length === 0) return end(state, unansweredReason(state.invitees), at);
  if (state.phase === 'connected' && inCall(state) < 2 && ringing(state).length === 0) return end(state, reason, at);
  if (state.phase === 'connected' && inCall(state) < 2 && !state.callerIn && ringing(state).length > 0) return end(state, reason, at);
  return state;
}

/**
 * The call state machine, pure: ringing → connected → ended. Invalid events are rejected with a typed error
 * (accepting after a cancel, a stranger accepting, the callee cancelling, ...).
 */
export function transition(state: CallState, event: CallEvent): TransitionResult {
  if (state.phase === 'ended') return reject('invalid_state', 'the call has already ended');
  switch (event.type) {
    case 'invite': {
      if (event.invitees.length === 0) return reject('invalid_message', 'invite at least one user');
      const invitees = new Map(state.invitees);
      for (const { userId, reachable } of event.invitees) {
        if (userId === state.callerId) return reject('invalid_message', 'you cannot call yourself');
        const current = invitees.get(userId);
        if (current === 'ringing' || current === 'joined') return reject('invalid_state', `${userId} is already in this call`);
        invitees.set(userId, reachable);
      }
      return { ok: true, state: settle({ ...state, invitees }, event.at) };
    }
    case 'accept': {
      const current = state.invitees.get(event.userId);
      if (current === undefined) return reject('not_found', 'no such call for you');
      if (current !== 'ringing') return reject('invalid_state', `cannot accept: you are ${current}`);
      const next: CallState = {
        ...state,
        phase: 'connected',
        connectedAt: state.connectedAt ?? event.at,
        invitees: withStatus(state.invitees, event.userId, 'joined'),
      };
      return { ok: true, state: next };
    }
    case 'decline':
    case 'ring_timeout': {
      const current = state.invitees.get(event.userId);
      if (current === undefined) return reject('not_found', 'no such call for you');
      if (current !== 'ringing') return reject('invalid_state', `cannot ${event.type === 'decline' ? 'decline' : 'time out'}: ${current}`);
      const status: InviteeStatus = event.type === 'decline' ? 'declined' : 'no_answer';
      return { ok: true, state: settle({ ...state, invitees: withStatus(state.invitees, event.userId, status) }, event.at) };
    }
    case 'cancel': {
      if (event.userId !== state.callerId) return reject('forbidden', 'only the caller can cancel');
      if (state.phase !== 'ringing') return reject('invalid_state', 'the call is already connected; hang up instead');
      return { ok: true, state: end({ ...state, callerIn: false }, 'cancelled', event.at) };
    }
    case 'leave': {
      const reason: CallEndReason = event.lost ? 'connection_lost' : 'hangup';
      if (event.userId === state.callerId) {
        if (!state.callerIn) return reject('invalid_state', 'you already left this call');
        if (state.phase === 'ringing') return { ok: true, state: end({ ...state, callerIn: false }, event.lost ? 'connection_lost' : 'cancelled', event.at) };
        return { ok: true, state: settle({ ...state, callerIn: false }, event.at, reason) };
      }
      const current = state.invitees.get(event.userId);
      if (current === undefined) return reject('not_found', 'no such call for you');
      if (current !== 'joined') return reject('invalid_state', `cannot hang up: you are ${current}`);
      return { ok: true, state: settle({ ...state, invitees: withStatus(state.invitees, event.userId, 'left') }, event.at, reason) };
    }
    case 'fail':
      return { ok: true, state: end(state, 'failed', event.at) };
    case 'shutdown':
      return { ok: true, state: end(state, 'server_restart', event.at) };
    default:
      return assertNever(event);
  }
}

/** Connected time in ms (0 if it never connected). */
export function callDuration(state: CallState): number {
  if (state.connectedAt === undefined) return 0;
  return Math.max(0, (state.endedAt ?? Date.now()) - state.connectedAt);
}

export function ringingInvitees(state: CallState): string[] {
  return ringing(state);
}
