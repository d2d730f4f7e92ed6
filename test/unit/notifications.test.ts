// Server notifications routed in one place (widget/call/notifications.ts): call-level ones to the engine, room
// and media ones to the room session — those that come before the session exists wait for it, in order.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Notification } from '../../protocol';
import { NotificationRouter, type NotificationTargets } from '../../widget/call/notifications';

function router(awaiting: () => boolean) {
  const log: string[] = [];
  let session: { handle(n: Notification): void } | undefined;
  const targets: NotificationTargets = {
    incoming: (call) => log.push(`incoming ${call.callId}`),
    callUpdated: (call) => log.push(`updated ${call.phase}`),
    callEnded: (ended) => log.push(`ended ${ended.callId} ${ended.reason} ${ended.durationMs}`),
    tokenExpiring: (at) => log.push(`expiring ${at}`),
    mediaReset: () => log.push('reset'),
    roomClosed: (reason) => log.push(`closed ${reason}`),
    session: () => session,
    awaitingSession: awaiting,
  };
  const r = new NotificationRouter(targets);
  return { r, log, open: () => (session = { handle: (n) => log.push(`session ${n.type}`) }) };
}
const joined = (userId: string): Notification => ({ type: 'room.participantJoined', participant: { userId } });
const caller = { userId: 'a' };

test('call-level notifications reach the engine with what they carry', () => {
  const { r, log } = router(() => false);
  r.route({ type: 'call.incoming', call: { callId: 'c1', caller, callees: ['b'], video: true, phase: 'ringing' }, routerRtpCapabilities: {} });
  r.route({ type: 'call.state', call: { callId: 'c1', caller, callees: ['b'], video: true, phase: 'connected' } });
  r.route({ type: 'call.ended', callId: 'c1', reason: 'hangup', durationMs: 42 });
  r.route({ type: 'session.tokenExpiring', expiresAt: 7 });
  r.route({ type: 'media.reset', routerRtpCapabilities: {} });
  r.route({ type: 'room.closed', roomId: 'r', reason: 'removed' });
  assert.deepEqual(log, ['incoming c1', 'updated connected', 'ended c1 hangup 42', 'expiring 7', 'reset', 'closed removed']);
});

test('room notifications before the session exists wait for it, in order, while dialling or joining', () => {
  const { r, log, open } = router(() => true);
  r.route(joined('x'));
  r.route({ type: 'room.activeSpeaker', userId: 'x' });
  assert.deepEqual(log, []);
  const session = open();
  r.flushTo(session);
  r.route(joined('y'));
  assert.deepEqual(log, ['session room.participantJoined', 'session room.activeSpeaker', 'session room.participantJoined']);
});

test('outside a call nothing waits; an ended activity drops what waited', () => {
  const idle = router(() => false);
  idle.r.route(joined('x'));
  idle.r.flushTo(idle.open());
  assert.deepEqual(idle.log, []);
  const ended = router(() => true);
  ended.r.route(joined('x'));
  ended.r.clear();
  ended.r.flushTo(ended.open());
  assert.deepEqual(ended.log, []);
});
