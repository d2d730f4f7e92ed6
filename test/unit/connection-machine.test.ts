// Supervision of the signaling connection (widget/call/connection-machine.ts): every decision, without sockets
// or clocks. The signaling client performs the effects (test/unit/signaling-client.test.ts drives it for real).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type ConnectionEvent, type ConnectionState, stepConnection } from '../../widget/call/connection-machine';

const run = (state: ConnectionState, ...events: ConnectionEvent[]) => {
  const effects: string[] = [];
  for (const event of events) {
    const step = stepConnection(state, event);
    state = step.state;
    effects.push(...step.effects.map((e) => ('attempt' in e ? `${e.type}(${e.attempt})` : e.type)));
  }
  return { state, effects };
};
const open: ConnectionState = { phase: 'open' };

describe('signaling connection supervision', () => {
  test('a dropped connection announces itself once, arms the grace period and retries after the first backoff', () => {
    const { state, effects } = run(open, { type: 'lost', resumable: true, now: false });
    assert.deepEqual(state, { phase: 'reconnecting', attempt: 0, inFlight: false });
    assert.deepEqual(effects, ['startGrace', 'announceReconnecting', 'scheduleRetry(0)']);
  });

  test('attempts count up and back off; one attempt at a time; the welcome ends it and stops the timers', () => {
    const { state, effects } = run(
      open,
      { type: 'lost', resumable: true, now: false },
      { type: 'retry' },
      { type: 'retry' }, // the browser came back online while the attempt is opening: ignored
      { type: 'attemptFailed', final: false },
      { type: 'retry' },
      { type: 'welcomed' },
    );
    assert.deepEqual(state, { phase: 'open' });
    assert.deepEqual(effects, [
      'startGrace', 'announceReconnecting', 'scheduleRetry(0)',
      'cancelRetry', 'openResume',
      'scheduleRetry(1)',
      'cancelRetry', 'openResume',
      'stopGrace', 'cancelRetry', 'announceReconnected',
    ]);
  });

  test('a network change tries at once; so does coming back online while waiting for the backoff', () => {
    assert.deepEqual(run(open, { type: 'lost', resumable: true, now: true }).effects, ['startGrace', 'announceReconnecting', 'cancelRetry', 'openResume']);
    const waiting: ConnectionState = { phase: 'reconnecting', attempt: 3, inFlight: false };
    const { state, effects } = run(waiting, { type: 'retry' });
    assert.deepEqual(state, { phase: 'reconnecting', attempt: 4, inFlight: true });
    assert.deepEqual(effects, ['cancelRetry', 'openResume']);
  });

  test('a refused token (or nothing to resume) closes for good, at once or after an attempt', () => {
    const lost = run(open, { type: 'lost', resumable: false, now: false });
    assert.deepEqual(lost.state, { phase: 'closed', byUs: false });
    assert.deepEqual(lost.effects, ['stopGrace', 'cancelRetry', 'announceClosed']);
    const refused = run(open, { type: 'lost', resumable: true, now: false }, { type: 'retry' }, { type: 'attemptFailed', final: true });
    assert.deepEqual(refused.state, { phase: 'closed', byUs: false });
    assert.deepEqual(refused.effects.slice(-3), ['stopGrace', 'cancelRetry', 'announceClosed']);
  });

  test('closed by us: timers stop, nothing is announced, and nothing brings it back', () => {
    const { state, effects } = run(
      { phase: 'reconnecting', attempt: 2, inFlight: false },
      { type: 'close' },
      { type: 'retry' },
      { type: 'lost', resumable: true, now: true },
      { type: 'welcomed' },
    );
    assert.deepEqual(state, { phase: 'closed', byUs: true });
    assert.deepEqual(effects, ['stopGrace', 'cancelRetry']);
  });

  test('the first welcome opens the connection without announcing a resume', () => {
    assert.deepEqual(run({ phase: 'connecting' }, { type: 'welcomed' }), { state: open, effects: [] });
  });
});
