import type { CallEnded, CallInfo, ParticipantInfo, ProtocolError } from '../../protocol';
import { assertNever } from './assert';
import type { CallMachineState, ResumableState, StatusEvent } from './engine';

export type { Activity, CallMachineState, CallStatus, ResumableState, StatusEvent } from './engine';


export type CallMachineEvent =
  | { type: 'connect' }
  | { type: 'connected'; me: ParticipantInfo }
  | { type: 'connection_lost'; error?: ProtocolError }
  | { type: 'connection_interrupted'; at: number }
  | { type: 'resumed' }
  /** The connection could not resume in time (or the server no longer had our place). */
  | { type: 'resume_failed'; at: number }
  | { type: 'dial'; callees: string[]; video: boolean }
  | { type: 'dialed'; call: CallInfo }
  | { type: 'incoming'; call: CallInfo }
  | { type: 'accept'; video: boolean }
  | { type: 'call_updated'; call: CallInfo }
  | { type: 'join_room'; roomId: string; video: boolean }
  | { type: 'media_ready'; sessionId: string; at: number }
  | { type: 'ended'; ended: CallEnded }
  | { type: 'left_room' }
  | { type: 'failed'; error: ProtocolError }
  | { type: 'dismiss' };

function meOf(state: CallMachineState): ParticipantInfo | undefined {
  return 'me' in state ? state.me : undefined;
}

/** Whether `callId` is the call this state is about (stale notifications for other calls are ignored). */
function isCurrent(state: CallMachineState, callId: string): boolean {
  if (state.status === 'reconnecting') return isCurrent(state.prior, callId);
  if (state.status === 'incoming') return state.call.callId === callId;
  if (state.status === 'outgoing' || state.status === 'joining' || state.status === 'in-call') {
    return state.activity.kind === 'call' && (state.activity.id === callId || state.activity.id === '');
  }
  return false;
}

/**
 * The widget's call state machine, pure: returns the next state, or the same object when the event does not
 * apply in this state (a late notification, a double click) so callers can tell "ignored" by identity.
 */
export function transition(state: CallMachineState, event: CallMachineEvent): CallMachineState {
  switch (event.type) {
    case 'connect':
      return state.status === 'disconnected' || state.status === 'error' ? { status: 'connecting' } : state;
    case 'connected':
      return state.status === 'connecting' ? { status: 'idle', me: event.me } : state;
    case 'connection_lost':
      return { status: 'disconnected', ...(event.error ? { error: event.error } : {}) };
    case 'connection_interrupted': {
      if (state.status === 'reconnecting' || !('me' in state) || !state.me) return state;
      return { status: 'reconnecting', me: state.me, prior: state as ResumableState, since: event.at };
    }
    case 'resumed':
      return state.status === 'reconnecting' ? state.prior : state;
    case 'resume_failed': {
      if (state.status !== 'reconnecting') return state;
      const prior = state.prior;
      if (prior.status === 'outgoing' || prior.status === 'joining' || prior.status === 'in-call') {
        const a = prior.activity;
        const durationMs = a.connectedAt ? Math.max(0, event.at - a.connectedAt) : 0;
        return { status: 'ended', me: state.me, ended: { callId: a.id, ...(a.sessionId ? { sessionId: a.sessionId } : {}), reason: 'connection_lost', durationMs } };
      }
      // A ring we were hearing is gone with the old connection.
      return prior.status === 'incoming' ? { status: 'idle', me: state.me } : prior;
    }
    case 'dial':
      if (state.status !== 'idle' && state.status !== 'ended') return state;
      return { status: 'outgoing', me: state.me, callees: event.callees, activity: { kind: 'call', id: '', video: event.video } };
    case 'dialed':
      if (state.status !== 'outgoing' || state.activity.id !== '') return state;
      return {
        ...state,
        activity: { ...state.activity, id: event.call.callId, call: event.call, ...(event.call.sessionId ? { sessionId: event.call.sessionId } : {}) },
      };
    case 'incoming':
      if (state.status !== 'idle' && state.status !== 'ended') return state;
      return { status: 'incoming', me: state.me, call: event.call };
    case 'accept':
      if (state.status !== 'incoming') return state;
      return {
        status: 'joining',
        me: state.me,
        activity: { kind: 'call', id: state.call.callId, video: event.video, call: state.call, ...(state.call.sessionId ? { sessionId: state.call.sessionId } : {}) },
      };
    case 'call_updated': {
      if (!isCurrent(state, event.call.callId)) return state;
      if (state.status === 'incoming') return { ...state, call: event.call };
      if (state.status === 'outgoing' || state.status === 'joining' || state.status === 'in-call') {
        const activity = { ...state.activity, call: event.call };
        // The caller's media is already up while it rings: the first accept puts it in the call.
        if (state.status === 'outgoing' && event.call.phase === 'connected') {
          return { status: 'in-call', me: state.me, activity: { ...activity, connectedAt: event.call.connectedAt ?? Date.now() } };
        }
        return { ...state, activity };
      }
      return state;
    }
    case 'join_room':
      if (state.status !== 'idle' && state.status !== 'ended') return state;
      return { status: 'joining', me: state.me, activity: { kind: 'room', id: event.roomId, video: event.video } };
    case 'media_ready': {
      if (state.status === 'outgoing') return { ...state, activity: { ...state.activity, sessionId: event.sessionId } };
      if (state.status !== 'joining') return state;
      const connectedAt = state.activity.call?.connectedAt ?? event.at;
      return { status: 'in-call', me: state.me, activity: { ...state.activity, sessionId: event.sessionId, connectedAt } };
    }
    case 'ended':
      if (!isCurrent(state, event.ended.callId)) return state;
      return { status: 'ended', me: (state as { me: ParticipantInfo }).me, ended: event.ended };
    case 'left_room': {
      const base = state.status === 'reconnecting' ? state.prior : state;
      if ((base.status === 'in-call' || base.status === 'joining') && base.activity.kind === 'room') return { status: 'idle', me: base.me };
      return state;
    }
    case 'failed': {
      const me = meOf(state);
      return { status: 'error', ...(me ? { me } : {}), error: event.error };
    }
    case 'dismiss':
      if (state.status === 'ended' || (state.status === 'error' && state.me)) return { status: 'idle', me: state.me as ParticipantInfo };
      return state;
    default:
      return assertNever(event);
  }
}

export function eventsOf(prev: CallMachineState, next: CallMachineState): StatusEvent[] {
  const events: StatusEvent[] = [];
  if (next.status === 'reconnecting' && prev.status !== 'reconnecting') events.push({ type: 'reconnecting' });
  if (prev.status === 'reconnecting' && next === prev.prior) {
    // Back where we were: nothing new happened to the call itself.
    return [{ type: 'reconnected' }, { type: 'state-change', state: next.status }];
  }
  if (next.status === 'incoming' && prev.status !== 'incoming') events.push({ type: 'incoming', call: next.call });
  if (next.status === 'in-call' && prev.status !== 'in-call') events.push({ type: 'connected', callId: next.activity.id, sessionId: next.activity.sessionId ?? '' });
  if (next.status === 'ended') events.push({ type: 'ended', ended: next.ended });
  if (next.status === 'error') events.push({ type: 'error', error: next.error });
  if (next.status !== prev.status) events.push({ type: 'state-change', state: next.status });
  return events;
}
