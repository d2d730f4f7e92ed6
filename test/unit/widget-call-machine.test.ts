import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallInfo } from '../../protocol';
import { type CallMachineEvent, type CallMachineState, transition } from '../../widget/call/call-machine';

const me = { userId: 'alice' };
const call = (o: Partial<CallInfo> = {}): CallInfo => ({ callId: 'c1', caller: { userId: 'bob' }, callees: ['alice'], video: true, phase: 'ringing', sessionId: 's1', ...o });
const idle: CallMachineState = { status: 'idle', me };
function run(state: CallMachineState, ...events: CallMachineEvent[]): CallMachineState {
  for (const e of events) state = transition(state, e);
  return state;
}
function ignored(state: CallMachineState, event: CallMachineEvent): void {
  assert.equal(transition(state, event), state, `${event.type} should be ignored in ${state.status}`);
}

describe('widget call state machine', () => {
  test('connect → connecting → idle; connection loss → disconnected with the error', () => {
    let s = run({ status: 'disconnected' }, { type: 'connect' });
    assert.equal(s.status, 'connecting');
    s = run(s, { type: 'connected', me });
    assert.equal(s.status, 'idle');
    s = run(s, { type: 'connection_lost', error: { code: 'token_expired', message: 'x' } });
    assert.deepEqual(s, { status: 'disconnected', error: { code: 'token_expired', message: 'x' } });
    assert.equal(run({ status: 'error', error: { code: 'internal', message: '' } }, { type: 'connect' }).status, 'connecting');
  });

  test('caller: dial → outgoing (no id) → dialed (id) → media ready (session) → callee accepts → in-call → ended', () => {
    let s = run(idle, { type: 'dial', callees: ['bob'], video: true });
    assert.equal(s.status, 'outgoing');
    s = run(s, { type: 'dialed', call: call({ caller: me, callees: ['bob'] }) });
    assert.equal(s.status === 'outgoing' && s.activity.id, 'c1');
    s = run(s, { type: 'media_ready', sessionId: 's1', at: 5 });
    assert.equal(s.status === 'outgoing' && s.activity.sessionId, 's1');
    s = run(s, { type: 'call_updated', call: call({ phase: 'connected', connectedAt: 7 }) });
    assert.equal(s.status, 'in-call');
    assert.equal(s.status === 'in-call' && s.activity.connectedAt, 7);
    s = run(s, { type: 'ended', ended: { callId: 'c1', reason: 'hangup', durationMs: 10 } });
    assert.equal(s.status, 'ended');
    assert.equal(run(s, { type: 'dismiss' }).status, 'idle');
  });

  test('callee: incoming → accept → joining → media ready → in-call', () => {
    let s = run(idle, { type: 'incoming', call: call() });
    assert.equal(s.status, 'incoming');
    s = run(s, { type: 'call_updated', call: call({ callees: ['alice', 'carol'] }) });
    assert.deepEqual(s.status === 'incoming' && s.call.callees, ['alice', 'carol']);
    s = run(s, { type: 'accept', video: false });
    assert.equal(s.status, 'joining');
    assert.equal(s.status === 'joining' && s.activity.video, false);
    s = run(s, { type: 'media_ready', sessionId: 's1', at: 9 });
    assert.equal(s.status, 'in-call');
  });

  test('an incoming call can end before it is answered (cancelled, answered elsewhere)', () => {
    const s = run(idle, { type: 'incoming', call: call() }, { type: 'ended', ended: { callId: 'c1', reason: 'answered_elsewhere', durationMs: 0 } });
    assert.equal(s.status === 'ended' && s.ended.reason, 'answered_elsewhere');
  });

  test('rooms: join → joining → in-call → left → idle', () => {
    let s = run(idle, { type: 'join_room', roomId: 'r', video: true });
    assert.equal(s.status, 'joining');
    s = run(s, { type: 'media_ready', sessionId: 's', at: 1 });
    assert.equal(s.status, 'in-call');
    assert.equal(run(s, { type: 'left_room' }).status, 'idle');
  });

  test('failures go to error; dismiss returns to idle when connected', () => {
    const s = run(idle, { type: 'dial', callees: ['b'], video: true }, { type: 'failed', error: { code: 'media_permission_denied', message: 'no' } });
    assert.equal(s.status, 'error');
    assert.equal(run(s, { type: 'dismiss' }).status, 'idle');
  });

  test('ignores events that do not apply (late notifications, double clicks, other calls)', () => {
    ignored({ status: 'disconnected' }, { type: 'dial', callees: ['b'], video: true });
    ignored(idle, { type: 'accept', video: true });
    ignored(idle, { type: 'connected', me });
    const outgoing = run(idle, { type: 'dial', callees: ['b'], video: true });
    ignored(outgoing, { type: 'dial', callees: ['c'], video: true });
    ignored(outgoing, { type: 'incoming', call: call({ callId: 'other' }) }); // busy: a second call does not interrupt
    const ringing = run(idle, { type: 'incoming', call: call() });
    ignored(ringing, { type: 'ended', ended: { callId: 'other', reason: 'hangup', durationMs: 0 } });
    ignored(ringing, { type: 'call_updated', call: call({ callId: 'other' }) });
    ignored(ringing, { type: 'media_ready', sessionId: 's', at: 1 });
    ignored(ringing, { type: 'left_room' });
    ignored(ringing, { type: 'dismiss' });
    const dialed = run(outgoing, { type: 'dialed', call: call() });
    ignored(dialed, { type: 'dialed', call: call({ callId: 'c2' }) });
    ignored({ status: 'connecting' }, { type: 'join_room', roomId: 'r', video: true });
  });
});
