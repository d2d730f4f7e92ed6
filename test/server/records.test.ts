import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

type Msg = Record<string, unknown>;
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('call records in SQLite, served by GET /v1/calls and /v1/sessions/:id', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  let auth: string;
  let otherAuth: string;
  const connect = async (userId: string) => {
    const s = await connectAs(server.url, await server.token(userId));
    sockets.push(s);
    return s;
  };
  const get = async (path: string, authorization = auth) => {
    const res = await fetch(`${server.url}${path}`, { headers: { authorization } });
    return { status: res.status, body: (await res.json()) as Msg };
  };
  before(async () => {
    server = await startServer({ ringTimeoutMs: 500 });
    const basic = (k: string, s: string) => `Basic ${Buffer.from(`${k}:${s}`).toString('base64')}`;
    const dev = server.apps[0]!.environments.development!;
    auth = basic(dev.appKey, dev.secret);
    const prod = server.apps[0]!.environments.production!;
    otherAuth = basic(prod.appKey, prod.secret);
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('an answered call: caller, callees with outcomes, ring/answer/end times, reason, duration, every join and leave', async () => {
    const [a, b] = [await connect('rec-alice'), await connect('rec-bob')];
    const dialedAt = Date.now();
    const callId = callIdOf(await a.request('call.dial', { callees: ['rec-bob'], video: true }));
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: true });
    await new Promise((r) => setTimeout(r, 120));
    await b.request('call.hangup', { callId });
    await a.next((m) => m.type === 'call.ended');

    const { status, body } = await get(`/v1/calls?userId=rec-bob`);
    assert.equal(status, 200);
    const calls = body.calls as Msg[];
    assert.equal(calls.length, 1);
    const call = calls[0] as Msg;
    assert.equal(call.callId, callId);
    assert.equal(call.roomId, callId);
    assert.equal(call.caller, 'rec-alice');
    assert.deepEqual(call.callees, [{ userId: 'rec-bob', outcome: 'left' }]);
    assert.equal(call.environment, 'development');
    assert.equal(call.endReason, 'hangup');
    const ring = Date.parse(call.ringAt as string);
    const answered = Date.parse(call.answeredAt as string);
    const endedAt = Date.parse(call.endedAt as string);
    assert.ok(ring >= dialedAt - 5 && ring <= answered && answered < endedAt, 'ring ≤ answer < end');
    assert.ok((call.durationMs as number) >= 100 && (call.durationMs as number) <= endedAt - answered + 1);
    const people = (call.participants as Msg[]).map((p) => [p.userId, typeof p.joinedAt, typeof p.leftAt]);
    assert.deepEqual(people, [['rec-alice', 'string', 'string'], ['rec-bob', 'string', 'string']]);

    const session = await get(`/v1/sessions/${call.sessionId as string}`);
    assert.equal(session.status, 200);
    assert.equal(session.body.endReason, 'hangup', 'the session ends with the call’s reason');
    assert.equal((session.body.participants as Msg[]).length, 2);
    assert.deepEqual((await get(`/v1/calls/${callId}`)).body.callId, callId);
  });

  test('an unanswered call is recorded with the callee’s outcome (what a missed-calls list needs)', async () => {
    const [a] = [await connect('rec-carol'), await connect('rec-dave')];
    const callId = callIdOf(await a.request('call.dial', { callees: ['rec-dave'], video: false }));
    const ended = await a.next((m) => m.type === 'call.ended');
    assert.equal(ended.reason, 'no_answer');
    const call = (await get(`/v1/calls/${callId}`)).body;
    assert.deepEqual(call.callees, [{ userId: 'rec-dave', outcome: 'no_answer' }]);
    assert.equal(call.answeredAt, undefined);
    assert.equal(call.durationMs, 0);
    assert.equal(call.video, false);
  });

  test('calls.recent: your own calls over signaling, newest first, with missed ones flagged', async () => {
    const dave = await connect('rec-dave');
    const recent = (await dave.request('calls.recent', {})).data as { calls: Msg[] };
    assert.equal(recent.calls.length, 1);
    const missed = recent.calls[0]!;
    assert.equal(missed.direction, 'incoming');
    assert.equal(missed.missed, true);
    assert.deepEqual(missed.peers, [{ userId: 'rec-carol', name: 'rec-carol' }]);
    assert.equal(missed.reason, 'no_answer');
    const bob = ((await (await connect('rec-bob')).request('calls.recent', { limit: 5 })).data as { calls: Msg[] }).calls;
    assert.deepEqual(bob.map((c) => [c.direction, c.missed]), [['incoming', false]], 'answered: not missed');
    const alice = ((await (await connect('rec-alice')).request('calls.recent', {})).data as { calls: Msg[] }).calls;
    assert.deepEqual(alice.map((c) => [c.direction, c.missed, (c.durationMs as number) > 0]), [['outgoing', false, true]]);
    assert.equal((await dave.request('calls.recent', { limit: 500 })).code, 'invalid_message');
  });

  test('filters: userId, since, limit; another environment of the same app sees nothing', async () => {
    const mine = (await get('/v1/calls?userId=rec-carol')).body.calls as Msg[];
    assert.equal(mine.length, 1);
    assert.equal(((await get('/v1/calls?limit=1')).body.calls as Msg[]).length, 1);
    const all = (await get('/v1/calls')).body.calls as Msg[];
    assert.ok(all.length >= 2);
    assert.ok(Date.parse(all[0]!.ringAt as string) >= Date.parse(all[1]!.ringAt as string), 'newest first');
    const future = new Date(Date.now() + 60_000).toISOString();
    assert.deepEqual((await get(`/v1/calls?since=${encodeURIComponent(future)}`)).body.calls, []);
    assert.deepEqual((await get('/v1/calls', otherAuth)).body.calls, []);
    assert.equal((await get(`/v1/calls/${all[0]!.callId as string}`, otherAuth)).status, 404);
    assert.equal((await get('/v1/calls?limit=0')).status, 400);
    assert.equal((await get('/v1/calls?since=yesterday')).status, 400);
    assert.equal((await get('/v1/calls', 'Basic eDp5')).status, 401);
  });
});
