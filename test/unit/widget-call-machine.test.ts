import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { CallInfo } from '../../protocol';
import { type CallMachineEvent, type CallMachineState, eventsOf, transition } from '../../widget/call/call-machine';
import { backoffDelay } from '../../widget/call/signaling-client';
import type { MediaStats } from '../../widget/call/media-client';
import { assessQuality } from '../../widget/call/network-quality';

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

  test('reconnecting keeps the call: resumed → back where it was (no new "connected"); resume failed → ended(connection_lost)', () => {
    const inCall = run(idle, { type: 'incoming', call: call() }, { type: 'accept', video: true }, { type: 'media_ready', sessionId: 's1', at: 1000 });
    const r = run(inCall, { type: 'connection_interrupted', at: 2000 });
    assert.equal(r.status, 'reconnecting');
    assert.equal(r.status === 'reconnecting' && r.prior, inCall);
    assert.deepEqual(eventsOf(inCall, r).map((e) => e.type), ['reconnecting', 'state-change']);
    ignored(r, { type: 'connection_interrupted', at: 2500 });
    ignored(r, { type: 'dismiss' });
    const back = run(r, { type: 'resumed' });
    assert.equal(back, inCall);
    assert.deepEqual(eventsOf(r, back).map((e) => e.type), ['reconnected', 'state-change']);
    const lost = run(r, { type: 'resume_failed', at: 6000 });
    assert.deepEqual(lost, { status: 'ended', me, ended: { callId: 'c1', sessionId: 's1', reason: 'connection_lost', durationMs: 5000 } });
    // Hanging up while reconnecting ends the call it was about.
    assert.equal(run(r, { type: 'ended', ended: { callId: 'c1', reason: 'hangup', durationMs: 1 } }).status, 'ended');
    const inRoom = run(idle, { type: 'join_room', roomId: 'r', video: true }, { type: 'media_ready', sessionId: 's', at: 1 });
    assert.deepEqual(run(inRoom, { type: 'connection_interrupted', at: 2 }, { type: 'left_room' }), idle, 'leaving a room while reconnecting');
    ignored(inCall, { type: 'resumed' });
    ignored(inCall, { type: 'resume_failed', at: 1 });
  });

  test('reconnecting while ringing or idle: a failed resume drops the ring, idle stays idle; not before connecting', () => {
    const ringing = run(idle, { type: 'incoming', call: call() });
    assert.deepEqual(run(ringing, { type: 'connection_interrupted', at: 1 }, { type: 'resume_failed', at: 2 }), idle);
    assert.equal(run(idle, { type: 'connection_interrupted', at: 1 }, { type: 'resume_failed', at: 2 }), idle);
    ignored({ status: 'connecting' }, { type: 'connection_interrupted', at: 1 });
    ignored({ status: 'disconnected' }, { type: 'connection_interrupted', at: 1 });
    assert.equal(run(idle, { type: 'connection_interrupted', at: 1 }, { type: 'connection_lost' }).status, 'disconnected');
  });

  test('reconnect backoff: the first attempt is almost immediate, then grows with jitter up to the cap', () => {
    assert.ok(backoffDelay(0, 500, 5000, () => 1) <= 250);
    for (const r of [0, 0.5, 1]) {
      const d3 = backoffDelay(3, 500, 5000, () => r);
      assert.ok(d3 >= 2000 && d3 <= 4000, `attempt 3 within [cap/2, cap]: ${d3}`);
      assert.ok(backoffDelay(10, 500, 5000, () => r) <= 5000, 'capped');
    }
    assert.notEqual(backoffDelay(4, 500, 5000, () => 0), backoffDelay(4, 500, 5000, () => 1), 'jittered');
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

describe('network quality from stats samples', () => {
  const sample = (received: number, lost: number, jitterMs = 5): MediaStats => ({
    audio: { bob: { packetsReceived: received, packetsLost: lost, jitterMs } },
    video: {},
    framesDecoded: {},
    audioPacketsReceived: { bob: received },
    videoTracksSent: 1,
  });
  test('poor when more than 5 % of the packets in the interval were lost, or jitter is high; good otherwise', () => {
    assert.equal(assessQuality(sample(100, 0), sample(200, 2)), 'good');
    assert.equal(assessQuality(sample(100, 0), sample(200, 10)), 'poor');
    assert.equal(assessQuality(sample(100, 50), sample(200, 52)), 'good', 'old losses do not count');
    assert.equal(assessQuality(sample(100, 0), sample(110, 3)), 'good', 'too few packets to judge');
    assert.equal(assessQuality(undefined, sample(100, 0, 120)), 'poor');
  });
});
