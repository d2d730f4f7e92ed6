import { assertNever } from './assert';

/**
 * Supervision of the signaling connection as a pure machine: what state the connection is in and, for each
 * thing that happens to it, the next state and what the client must do (open a socket, arm or stop a timer,
 * tell the engine). SignalingClient performs the effects; everything it decides is here, testable without
 * sockets or clocks.
 */
export type ConnectionState =
  /** Before the first welcome (connect() retries a draining server on its own). */
  | { phase: 'connecting' }
  | { phase: 'open' }
  /** The socket dropped; resuming with the resume token. `inFlight`: an attempt's socket is opening now. */
  | { phase: 'reconnecting'; attempt: number; inFlight: boolean }
  /** For good: by us (`close()`), or because reconnecting cannot help (a refused token, no session to resume). */
  | { phase: 'closed'; byUs: boolean };

export type ConnectionEvent =
  /** A welcome arrived (the first one, or a resume's). */
  | { type: 'welcomed' }
  /**
   * The welcomed socket is gone. `resumable`: the server gave us a session to resume, there is a grace
   * period, and the reason is not final (a refused token, a newer connection). `now`: try at once (the
   * network changed) instead of after the backoff.
   */
  | { type: 'lost'; resumable: boolean; now: boolean }
  /** Time to try again: the backoff passed, or the browser came back online. */
  | { type: 'retry' }
  /** A resume attempt failed; `final` when trying again cannot help. */
  | { type: 'attemptFailed'; final: boolean }
  /** Closed by us: never reconnect. */
  | { type: 'close' };

export type ConnectionEffect =
  /** Start the grace timer (its end is announced once, while attempts go on). */
  | { type: 'startGrace' }
  | { type: 'stopGrace' }
  /** Open a socket with the resume token now. */
  | { type: 'openResume' }
  /** Try again after the backoff for attempt `attempt` (0-based); replaces a pending retry. */
  | { type: 'scheduleRetry'; attempt: number }
  | { type: 'cancelRetry' }
  /** Tell the engine: interrupted (resuming), resumed (with the welcome), or closed for good. */
  | { type: 'announceReconnecting' }
  | { type: 'announceReconnected' }
  | { type: 'announceClosed' };

export interface ConnectionStep {
  state: ConnectionState;
  effects: ConnectionEffect[];
}

const stay = (state: ConnectionState): ConnectionStep => ({ state, effects: [] });

/** An attempt now: the next attempt number, in flight. */
function attemptNow(attempt: number, effects: ConnectionEffect[]): ConnectionStep {
  return { state: { phase: 'reconnecting', attempt: attempt + 1, inFlight: true }, effects: [...effects, { type: 'cancelRetry' }, { type: 'openResume' }] };
}

export function stepConnection(state: ConnectionState, event: ConnectionEvent): ConnectionStep {
  if (state.phase === 'closed') return stay(state); // nothing brings a closed connection back
  switch (event.type) {
    case 'welcomed':
      if (state.phase === 'reconnecting') return { state: { phase: 'open' }, effects: [{ type: 'stopGrace' }, { type: 'cancelRetry' }, { type: 'announceReconnected' }] };
      return { state: { phase: 'open' }, effects: [] };
    case 'lost': {
      if (!event.resumable) return { state: { phase: 'closed', byUs: false }, effects: [{ type: 'stopGrace' }, { type: 'cancelRetry' }, { type: 'announceClosed' }] };
      if (state.phase === 'reconnecting') {
        if (state.inFlight) return stay(state);
        return event.now ? attemptNow(state.attempt, []) : { state, effects: [{ type: 'scheduleRetry', attempt: state.attempt }] };
      }
      const start: ConnectionEffect[] = [{ type: 'startGrace' }, { type: 'announceReconnecting' }];
      const reconnecting: ConnectionState = { phase: 'reconnecting', attempt: 0, inFlight: false };
      return event.now ? attemptNow(0, start) : { state: reconnecting, effects: [...start, { type: 'scheduleRetry', attempt: 0 }] };
    }
    case 'retry':
      if (state.phase !== 'reconnecting' || state.inFlight) return stay(state);
      return attemptNow(state.attempt, []);
    case 'attemptFailed':
      if (state.phase !== 'reconnecting') return stay(state);
      if (event.final) return { state: { phase: 'closed', byUs: false }, effects: [{ type: 'stopGrace' }, { type: 'cancelRetry' }, { type: 'announceClosed' }] };
      return { state: { ...state, inFlight: false }, effects: [{ type: 'scheduleRetry', attempt: state.attempt }] };
    case 'close':
      return { state: { phase: 'closed', byUs: true }, effects: [{ type: 'stopGrace' }, { type: 'cancelRetry' }] };
    default:
      return assertNever(event);
  }
}
