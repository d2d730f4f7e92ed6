import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

type Msg = Record<string, unknown>;
type Client = TestSocket & { welcome: Msg };
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('dropped connections: the place is kept for the grace period and a resume takes it back', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  let n = 0;
  const connect = async (userId: string, resume?: string): Promise<Client> => {
    const s = await connectAs(server.url, await server.token(userId), resume ? { resume } : {});
    sockets.push(s);
    return s;
  };
  /** A connected 1:1 call between two new users. */
  const inCall = async () => {
    const [aId, bId] = [`rc-a${++n}`, `rc-b${n}`];
    const [a, b] = [await connect(aId), await connect(bId)];
    const callId = callIdOf(await a.request('call.dial', { callees: [bId], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: false });
    await a.next((m) => m.type === 'call.state' && (m.call as Msg).phase === 'connected');
    return { a, b, aId, bId, callId };
  };
  before(async () => {
    server = await startServer({ reconnectGraceMs: 1500 });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('an abrupt drop keeps the call; the resumed connection gets what it missed and can act on the same call', async () => {
    const { a, b, bId, callId } = await inCall();
    assert.equal(b.welcome.resumed, false);
    assert.equal(typeof b.welcome.resumeToken, 'string');
    b.ws.terminate(); // no close frame: what a network failure looks like to the server
    const notice = await a.next((m) => m.type === 'room.participantConnection');
    assert.deepEqual([notice.userId, notice.connected], [bId, false]);
    await a.request('call.invite', { callId, callees: ['rc-nobody'] }); // b misses this call.state
    const b2 = await connect(bId, b.welcome.resumeToken as string);
    assert.equal(b2.welcome.resumed, true);
    const missed = await b2.next((m) => m.type === 'call.state');
    assert.equal((missed.call as Msg).callId, callId);
    assert.deepEqual(((await a.next((m) => m.type === 'room.participantConnection' && m.connected === true)) as Msg).userId, bId);
    const hangup = await b2.request('call.hangup', { callId });
    assert.equal(hangup.type, 'response', 'the resumed connection is still in the call');
    assert.equal((await a.next((m) => m.type === 'call.ended')).reason, 'hangup');
  });

  test('not back within the grace period: the call ends with connection_lost, on the record too', async () => {
    const { a, b, callId } = await inCall();
    const droppedAt = Date.now();
    b.ws.terminate();
    const ended = await a.next((m) => m.type === 'call.ended', 5000);
    assert.equal(ended.reason, 'connection_lost');
    assert.ok(Date.now() - droppedAt >= 1400, 'not before the grace period');
    const dev = server.apps[0]!.environments.development!;
    const res = await fetch(`${server.url}/v1/calls/${callId}`, { headers: { authorization: `Basic ${Buffer.from(`${dev.appKey}:${dev.secret}`).toString('base64')}` } });
    assert.equal(((await res.json()) as Msg).endReason, 'connection_lost');
    const late = await connect(`rc-b${n}`, b.welcome.resumeToken as string);
    assert.equal(late.welcome.resumed, false, 'too late: a fresh start');
  });

  test('a deliberate close (hang-up by closing the tab) ends the call at once', async () => {
    const { a, b } = await inCall();
    b.ws.close(1001);
    assert.equal((await a.next((m) => m.type === 'call.ended', 1000)).reason, 'hangup');
  });

  test('resuming while the old socket is still open (a half-open connection) replaces it', async () => {
    const { a, b, bId, callId } = await inCall();
    const b2 = await connect(bId, b.welcome.resumeToken as string);
    assert.equal(b2.welcome.resumed, true);
    assert.equal((await b.closed).code, 4011);
    assert.equal((await b2.request('call.hangup', { callId })).type, 'response');
    await a.next((m) => m.type === 'call.ended');
  });

  test('someone else’s resume token resumes nothing', async () => {
    const { b } = await inCall();
    const stranger = await connect('rc-stranger', b.welcome.resumeToken as string);
    assert.equal(stranger.welcome.resumed, false);
    const bogus = await connect('rc-stranger2', 'not-a-token');
    assert.equal(bogus.welcome.resumed, false);
  });
});
