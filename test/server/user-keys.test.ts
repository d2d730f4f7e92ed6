// User ids and room ids are user-controlled strings: names that are also Object.prototype's (`__proto__`,
// `constructor`, `toString`) must behave like any other name — ringing, answering, hanging up, records, rooms
// and the REST lookups.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

type Msg = Record<string, unknown>;
const PROTO_NAMES = ['__proto__', 'constructor', 'toString'];

describe('user and room ids named like Object.prototype members', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  let auth = '';
  before(async () => {
    server = await startServer({ ringTimeoutMs: 5000 });
    const env = server.apps[0]!.environments.development!;
    auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });
  const connect = async (userId: string) => {
    const s = await connectAs(server.url, await server.token(userId));
    sockets.push(s);
    return s;
  };

  for (const name of PROTO_NAMES) {
    test(`a call to and from "${name}": rings, is answered, ends, and is recorded with the right outcome`, async () => {
      const caller = await connect(`caller-of-${name}`);
      const callee = await connect(name);
      const dial = await caller.request('call.dial', { callees: [name], video: false });
      assert.equal(dial.type, 'response', JSON.stringify(dial));
      const call = (dial.data as { call: { callId: string } }).call;
      const incoming = await callee.next((m) => m.type === 'call.incoming');
      const invitees = (incoming.call as { invitees: Record<string, string> }).invitees;
      assert.equal(Object.getOwnPropertyDescriptor(invitees, name)?.value, 'ringing', JSON.stringify(invitees));
      assert.equal(((incoming.call as Msg).caller as Msg).userId, `caller-of-${name}`);
      assert.equal((await callee.request('call.accept', { callId: call.callId, video: false })).type, 'response');
      await caller.request('call.hangup', { callId: call.callId });
      assert.equal((await callee.next((m) => m.type === 'call.ended')).reason, 'hangup');
      const record = (await (await fetch(`${server.url}/v1/calls/${call.callId}`, { headers: { authorization: auth } })).json()) as { participants?: { userId: string; outcome?: string }[]; endReason?: string };
      assert.equal(record.endReason, 'hangup', JSON.stringify(record));
      const recent = await callee.request('calls.recent', {});
      const calls = (recent.data as { calls: { callId: string; direction: string }[] }).calls;
      assert.deepEqual(calls.map((c) => [c.callId, c.direction]), [[call.callId, 'incoming']]);
    });

    test(`"${name}" who was never invited cannot accept, decline or hang up someone else's call`, async () => {
      const a = await connect(`a-${name}`);
      await connect(`b-${name}`);
      const stranger = await connect(`${name}`);
      const callId = ((await a.request('call.dial', { callees: [`b-${name}`], video: false })).data as { call: { callId: string } }).call.callId;
      for (const type of ['call.accept', 'call.decline', 'call.hangup']) {
        const res = await stranger.request(type, type === 'call.accept' ? { callId, video: false } : { callId });
        assert.equal(res.type, 'error', `${type}: ${JSON.stringify(res)}`);
        assert.ok(['not_found', 'invalid_state'].includes(res.code as string), `${type}: ${String(res.code)}`);
        assert.doesNotMatch(String(res.message), /function|Object\]/, 'no prototype member leaks into the message');
      }
      await a.request('call.cancel', { callId });
    });

    test(`a room named "${name}": two join, see each other, and the REST room lookup finds it`, async () => {
      const a = await connect(`ra-${name}`);
      const b = await connect(`rb-${name}`);
      assert.equal((await a.request('room.join', { roomId: name, video: false })).type, 'response');
      const joined = await b.request('room.join', { roomId: name, video: false });
      assert.deepEqual((joined.data as { participants: { userId: string }[] }).participants.map((p) => p.userId).sort(), [`ra-${name}`, `rb-${name}`]);
      const room = await fetch(`${server.url}/v1/rooms/${encodeURIComponent(name)}`, { headers: { authorization: auth } });
      assert.equal(room.status, 200);
      assert.equal(((await room.json()) as { roomId: string }).roomId, name);
      await a.request('room.leave', {});
      await b.request('room.leave', {});
    });
  }

  test('an unknown room or call named like a prototype member is simply not found', async () => {
    for (const name of PROTO_NAMES) {
      assert.equal((await fetch(`${server.url}/v1/rooms/${encodeURIComponent(name)}`, { headers: { authorization: auth } })).status, 404, name);
      assert.equal((await fetch(`${server.url}/v1/calls/${encodeURIComponent(name)}`, { headers: { authorization: auth } })).status, 404, name);
    }
  });
});
