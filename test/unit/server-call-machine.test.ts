import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type CallEvent, type CallState, callDuration, initialCallState, transition } from '../../server/domain/call-machine';

function run(state: CallState, ...events: CallEvent[]): CallState {
  for (const event of events) {
    const r = transition(state, event);
    if (!r.ok) throw new Error(`${event.type} rejected: ${r.code} ${r.message}`);
    state = r.state;
  }
  return state;
}
function rejects(state: CallState, event: CallEvent, code: string): void {
  const r = transition(state, event);
  assert.equal(r.ok, false, `${event.type} should be rejected`);
  if (!r.ok) assert.equal(r.code, code);
}
const invite = (...ids: string[]): CallEvent => ({ type: 'invite', invitees: ids.map((userId) => ({ userId, reachable: 'ringing' as const })), at: 0 });
const ringing = (...ids: string[]) => run(initialCallState('a'), invite(...ids));

describe('server call state machine', () => {
  test('dial → ringing → accept → connected → hang up → ended(hangup) with duration from connect', () => {
    let s = ringing('b');
    assert.equal(s.phase, 'ringing');
    s = run(s, { type: 'accept', userId: 'b', at: 1000 });
    assert.equal(s.phase, 'connected');
    assert.equal(s.connectedAt, 1000);
    s = run(s, { type: 'leave', userId: 'a', at: 4000 });
    assert.equal(s.phase, 'ended');
    assert.equal(s.endReason, 'hangup');
    assert.equal(callDuration(s), 3000);
  });

  test('callee hanging up ends a 1:1 call too', () => {
    const s = run(ringing('b'), { type: 'accept', userId: 'b', at: 1 }, { type: 'leave', userId: 'b', at: 2 });
    assert.equal(s.endReason, 'hangup');
  });

  test('decline → declined; ring timeout → no_answer; cancel → cancelled (callee marked cancelled)', () => {
    assert.equal(run(ringing('b'), { type: 'decline', userId: 'b', at: 1 }).endReason, 'declined');
    assert.equal(run(ringing('b'), { type: 'ring_timeout', userId: 'b', at: 1 }).endReason, 'no_answer');
    const cancelled = run(ringing('b'), { type: 'cancel', userId: 'a', at: 1 });
    assert.equal(cancelled.endReason, 'cancelled');
    assert.equal(cancelled.invitees.get('b'), 'cancelled');
    assert.equal(callDuration(cancelled), 0);
  });

  test('caller leaving while it rings is a cancel', () => {
    assert.equal(run(ringing('b'), { type: 'leave', userId: 'a', at: 1 }).endReason, 'cancelled');
  });

  test('busy or unavailable callees end the call at once with that reason', () => {
    const busy = run(initialCallState('a'), { type: 'invite', invitees: [{ userId: 'b', reachable: 'busy' }], at: 0 });
    assert.equal(busy.endReason, 'busy');
    const gone = run(initialCallState('a'), { type: 'invite', invitees: [{ userId: 'b', reachable: 'unavailable' }], at: 0 });
    assert.equal(gone.endReason, 'unavailable');
  });

  test('multi-party: one decline does not end the call while others ring; all declining does', () => {
    let s = ringing('b', 'c');
    s = run(s, { type: 'decline', userId: 'b', at: 1 });
    assert.equal(s.phase, 'ringing');
    s = run(s, { type: 'decline', userId: 'c', at: 2 });
    assert.equal(s.endReason, 'declined');
  });

  test('multi-party: the call goes on while two are in, and ends when the last other leaves', () => {
    let s = run(ringing('b', 'c'), { type: 'accept', userId: 'b', at: 1 }, { type: 'accept', userId: 'c', at: 2 });
    s = run(s, { type: 'leave', userId: 'a', at: 3 });
    assert.equal(s.phase, 'connected');
    s = run(s, { type: 'leave', userId: 'b', at: 4 });
    assert.equal(s.endReason, 'hangup');
  });

  test('a connection lost for good ends the call with connection_lost only when it cannot go on', () => {
    const connected = run(ringing('b'), { type: 'accept', userId: 'b', at: 1 });
    assert.equal(run(connected, { type: 'leave', userId: 'b', at: 2, lost: true }).endReason, 'connection_lost');
    assert.equal(run(connected, { type: 'leave', userId: 'a', at: 2, lost: true }).endReason, 'connection_lost');
    assert.equal(run(ringing('b'), { type: 'leave', userId: 'a', at: 1, lost: true }).endReason, 'connection_lost', 'the caller lost while ringing');
    const three = run(ringing('b', 'c'), { type: 'accept', userId: 'b', at: 1 }, { type: 'accept', userId: 'c', at: 2 });
    const goesOn = run(three, { type: 'leave', userId: 'c', at: 3, lost: true });
    assert.equal(goesOn.phase, 'connected', 'two are still in');
    assert.equal(goesOn.invitees.get('c'), 'left');
  });

  test('fail ends any live call with failed', () => {
    assert.equal(run(ringing('b'), { type: 'fail', at: 1 }).endReason, 'failed');
    assert.equal(run(ringing('b'), { type: 'accept', userId: 'b', at: 1 }, { type: 'fail', at: 2 }).endReason, 'failed');
  });

  test('rejects invalid events', () => {
    const s = ringing('b');
    rejects(s, { type: 'accept', userId: 'mallory', at: 1 }, 'not_found'); // a stranger accepting
    rejects(s, { type: 'decline', userId: 'mallory', at: 1 }, 'not_found');
    rejects(s, { type: 'cancel', userId: 'b', at: 1 }, 'forbidden'); // only the caller cancels
    rejects(s, { type: 'leave', userId: 'b', at: 1 }, 'invalid_state'); // not joined yet
    rejects(s, invite('a'), 'invalid_message'); // calling yourself
    rejects(s, invite('b'), 'invalid_state'); // already ringing
    rejects(initialCallState('a'), { type: 'invite', invitees: [], at: 0 }, 'invalid_message');
    const cancelled = run(s, { type: 'cancel', userId: 'a', at: 1 });
    rejects(cancelled, { type: 'accept', userId: 'b', at: 2 }, 'invalid_state'); // accept after cancel
    const connected = run(s, { type: 'accept', userId: 'b', at: 1 });
    rejects(connected, { type: 'accept', userId: 'b', at: 2 }, 'invalid_state'); // double accept
    rejects(connected, { type: 'cancel', userId: 'a', at: 2 }, 'invalid_state'); // cancel after answer
    rejects(connected, { type: 'ring_timeout', userId: 'b', at: 2 }, 'invalid_state');
    const ended = run(connected, { type: 'leave', userId: 'a', at: 3 });
    rejects(ended, { type: 'leave', userId: 'b', at: 4 }, 'invalid_state');
    rejects(ended, { type: 'fail', at: 4 }, 'invalid_state');
  });
});
