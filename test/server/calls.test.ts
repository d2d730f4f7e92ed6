import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

type Msg = Record<string, unknown>;
const ended = (s: TestSocket) => s.next((m) => m.type === 'call.ended');
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('call flow over signaling (no media)', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  let n = 0;
  async function user(name?: string): Promise<[TestSocket, string]> {
    const id = name ?? `u${++n}`;
    const s = await connectAs(server.url, await server.token(id));
    sockets.push(s);
    return [s, id];
  }
  before(async () => {
    server = await startServer({ ringTimeoutMs: 600, workers: 2 });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('dial rings the callee with caller info; accept connects both; hang-up ends both with the same ids', async () => {
    const [a, aId] = await user();
    const [b, bId] = await user();
    const dial = await a.request('call.dial', { callees: [bId], video: true });
    assert.equal(dial.type, 'response');
    const callId = callIdOf(dial);
    const room = (dial.data as { room: { roomId: string; sessionId: string } }).room;
    assert.equal(room.roomId, callId, 'CallID = RoomID');
    const incoming = await b.next((m) => m.type === 'call.incoming');
    assert.equal((incoming.call as Msg).callId, callId);
    assert.equal(((incoming.call as Msg).caller as Msg).userId, aId);
    assert.ok(incoming.routerRtpCapabilities, 'callee can prepare media while ringing');
    const accept = await b.request('call.accept', { callId, video: true });
    assert.equal(accept.type, 'response');
    assert.equal((accept.data as { room: { sessionId: string } }).room.sessionId, room.sessionId, 'one session');
    const state = (await a.next((m) => m.type === 'call.state' && (m.call as Msg).phase === 'connected')).call as Msg;
    // The caller is told who answered, in which session, and since when the call runs.
    assert.equal(state.callId, callId);
    assert.equal(state.sessionId, room.sessionId);
    assert.equal((state.invitees as Record<string, string>)[bId], 'joined');
    assert.equal(typeof state.connectedAt, 'number');
    // The call lasts a moment (the duration is measured from connectedAt; 50 ms is its lower bound, not a proof).
    await new Promise((r) => setTimeout(r, 50));
    await a.request('call.hangup', { callId });
    const [ea, eb] = await Promise.all([ended(a), ended(b)]);
    for (const e of [ea, eb]) {
      assert.equal(e.reason, 'hangup');
      assert.equal(e.callId, callId);
      assert.equal(e.sessionId, room.sessionId);
    }
    assert.equal(ea.durationMs, eb.durationMs);
    assert.ok((ea.durationMs as number) >= 50);
  });

  test('decline → declined for the caller', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.decline', { callId });
    assert.equal((await ended(a)).reason, 'declined');
  });

  test('cancel before answer → cancelled on both; a late accept is refused', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    await a.request('call.cancel', { callId });
    assert.equal((await ended(a)).reason, 'cancelled');
    assert.equal((await ended(b)).reason, 'cancelled');
    const late = await b.request('call.accept', { callId, video: false });
    assert.equal(late.code, 'invalid_state');
  });

  test('ring timeout → no_answer on both sides', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    await a.request('call.dial', { callees: [bId], video: false });
    await b.next((m) => m.type === 'call.incoming');
    assert.equal((await ended(b)).reason, 'no_answer');
    assert.equal((await ended(a)).reason, 'no_answer');
  });

  test('callee in another room → busy; callee offline → unavailable', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    await b.request('room.join', { roomId: 'elsewhere' });
    await a.request('call.dial', { callees: [bId], video: false });
    assert.equal((await ended(a)).reason, 'busy');
    assert.ok(!b.messages.some((m) => m.type === 'call.incoming'), 'a busy callee does not ring');
    await a.request('call.dial', { callees: ['nobody-online'], video: false });
    assert.equal((await ended(a)).reason, 'unavailable');
  });

  test('two devices ring; accepting on one ends the other with answered_elsewhere', async () => {
    const [a] = await user();
    const [b1, bId] = await user();
    const b2 = await connectAs(server.url, await server.token(bId));
    sockets.push(b2);
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await Promise.all([b1.next((m) => m.type === 'call.incoming'), b2.next((m) => m.type === 'call.incoming')]);
    await b1.request('call.accept', { callId, video: false });
    const other = await ended(b2);
    assert.equal(other.reason, 'answered_elsewhere');
    const again = await b2.request('call.accept', { callId, video: false });
    assert.equal(again.type, 'error', 'the other device cannot accept too');
    await a.request('call.hangup', { callId });
  });

  test('one room per user: a caller in a call cannot dial again; disconnecting hangs up', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    const [, cId] = await user();
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    const second = await a.request('call.dial', { callees: [cId], video: false });
    assert.equal(second.code, 'already_in_room');
    await b.request('call.accept', { callId, video: false });
    b.close();
    assert.equal((await ended(a)).reason, 'hangup');
  });

  test('invalid requests are refused with typed errors', async () => {
    const [a, aId] = await user();
    assert.equal((await a.request('call.dial', { callees: [aId], video: false })).code, 'invalid_message');
    assert.equal((await a.request('call.hangup', { callId: 'nope' })).code, 'not_found');
    assert.equal((await a.request('media.createTransport', { direction: 'send' })).code, 'not_in_room');
  });

  test('a dead media worker does not end its calls: the room moves to a live worker and both sides reset their media', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: false });
    const tenantKey = server.app.services.apps.tenant(server.apps[0]!.environments.development!.appKey)!.key;
    const room = server.app.services.rooms.get(tenantKey, callId);
    assert.ok(room, 'the call has a room');
    const victim = room.media.workerPid;
    process.kill(victim, 'SIGKILL');
    const [ra, rb] = await Promise.all([a.next((m) => m.type === 'media.reset'), b.next((m) => m.type === 'media.reset')]);
    assert.ok(ra.routerRtpCapabilities && rb.routerRtpCapabilities);
    const same = server.app.services.rooms.get(tenantKey, callId);
    assert.equal(same, room, 'same room, same session');
    assert.notEqual(room.media.workerPid, victim, 'its media lives on a live worker now');
    assert.equal((await b.request('media.createTransport', { direction: 'recv' })).type, 'response', 'media can be set up again');
    assert.ok(!a.messages.some((m) => m.type === 'call.ended'), 'the call did not end');
    await a.request('call.hangup', { callId });
    assert.equal((await ended(b)).reason, 'hangup');
  });

  test('no live worker to move to in time: the call fails for both sides, on the record too', async () => {
    const lonely = await startServer({ workers: 1, workerRespawnDelayMs: 5000, mediaRecoveryTimeoutMs: 400 });
    try {
      const a = await connectAs(lonely.url, await lonely.token('lonely-a'));
      const b = await connectAs(lonely.url, await lonely.token('lonely-b'));
      const callId = callIdOf(await a.request('call.dial', { callees: ['lonely-b'], video: false }));
      await b.next((m) => m.type === 'call.incoming');
      await b.request('call.accept', { callId, video: false });
      const tenantKey = lonely.app.services.apps.tenant(lonely.apps[0]!.environments.development!.appKey)!.key;
      process.kill(lonely.app.services.rooms.get(tenantKey, callId)!.media.workerPid, 'SIGKILL');
      const [ea, eb] = await Promise.all([ended(a), ended(b)]);
      assert.deepEqual([ea.reason, eb.reason], ['failed', 'failed']);
      assert.equal(lonely.app.services.rooms.roomOfUser(tenantKey, 'lonely-b'), undefined, 'nobody stuck in a dead room');
      assert.equal((await lonely.app.services.records.getCall(tenantKey, callId))?.endReason, 'failed');
      a.close();
      b.close();
    } finally {
      await lonely.close();
    }
  });

  test('a ringing callee can prepare transports; only the invitee may, and accept reuses them', async () => {
    const [a] = await user();
    const [b, bId] = await user();
    const [stranger] = await user();
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    assert.equal((await b.request('media.createTransport', { direction: 'recv' })).code, 'not_in_room', 'not before prepare');
    assert.equal((await stranger.request('call.prepare', { callId })).code, 'not_found');
    assert.equal((await b.request('call.prepare', { callId })).type, 'response');
    const transport = await b.request('media.createTransport', { direction: 'recv' });
    assert.equal(transport.type, 'response');
    assert.equal((await b.request('media.consume', { producerId: 'x' })).code, 'not_in_room', 'no consuming before accept');
    await b.request('call.accept', { callId, video: false });
    // The prepared transport now belongs to the participant: connecting it is accepted (it exists).
    const connect = await b.request('media.connectTransport', { transportId: (transport.data as { id: string }).id, dtlsParameters: { role: 'client', fingerprints: [] } });
    assert.notEqual(connect.code, 'not_found', JSON.stringify(connect));
    await a.request('call.hangup', { callId });
  });
});
