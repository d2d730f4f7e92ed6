// A token's lifetime holds on open connections: the client is told ahead of expiry, renews without
// interrupting anything (session.renew), and a connection whose token expired unrenewed is closed (4003).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { issueToken } from '../../server/domain/tokens';
import { startServer, type TestServer } from '../support/server';
import { connectAs, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;

describe('token lifetime on open connections', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  before(async () => {
    // A long reconnect grace: a lapsed token must end the session at once, not when the grace runs out.
    server = await startServer({ ringTimeoutMs: 10_000, reconnectGraceMs: 60_000 });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });
  const shortLived = (userId: string, seconds = 3) => server.token(userId, { ttlSeconds: seconds });
  async function connect(userId: string, seconds = 3): Promise<TestSocket & { welcome: Msg }> {
    const s = await connectAs(server.url, await shortLived(userId, seconds));
    sockets.push(s);
    return s;
  }

  test('unrenewed: told ahead of expiry, then closed with token_expired (4003)', async () => {
    const s = await connect('tl-lapsed');
    const expiresAt = s.welcome.expiresAt as number;
    assert.ok(expiresAt > Date.now() && expiresAt <= Date.now() + 3000);
    const warning = await s.next((m) => m.type === 'session.tokenExpiring', 5000);
    assert.equal(warning.expiresAt, expiresAt);
    assert.ok(Date.now() < expiresAt, 'the warning comes before the expiry');
    const error = await s.next((m) => m.type === 'error' && m.code === 'token_expired', 5000);
    assert.match(String(error.message), /expired without a renewal/);
    assert.equal((await s.closed).code, 4003);
  });

  test('a caller whose token lapses mid-call leaves it at once: the callee sees the call end, not the reconnect grace', async () => {
    const [a, b] = [await connect('tl-lapsing-caller'), await connect('tl-patient-callee', 60)];
    const dial = await a.request('call.dial', { callees: ['tl-patient-callee'], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: false });
    assert.equal((await a.closed).code, 4003);
    // The server keeps a dropped client's place for 60 s here; an expired token is no drop: the call ends now.
    const ended = await b.next((m) => m.type === 'call.ended' && m.callId === callId, 10_000);
    assert.equal(ended.reason, 'hangup');
  });

  test('renewed during a call: the call goes on past the first token\'s expiry, and the next expiry is announced', async () => {
    const [a, b] = [await connect('tl-caller'), await connect('tl-callee')];
    const dial = await a.request('call.dial', { callees: ['tl-callee'], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await b.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId, video: false });
    const firstExpiry = a.welcome.expiresAt as number;
    for (const s of [a, b]) {
      await s.next((m) => m.type === 'session.tokenExpiring', 5000);
      const renewed = await s.request('session.renew', { token: await shortLived(s === a ? 'tl-caller' : 'tl-callee', 4) });
      assert.equal(renewed.type, 'response', JSON.stringify(renewed));
      assert.ok(((renewed.data as Msg).expiresAt as number) > firstExpiry);
      assert.ok(Array.isArray((renewed.data as Msg).iceServers));
    }
    await sleep(Math.max(0, firstExpiry - Date.now()) + 700);
    for (const s of [a, b]) assert.equal((await s.request('ping')).type, 'response', 'still open after the first expiry');
    assert.equal([...a.messages, ...b.messages].filter((m) => m.type === 'call.ended').length, 0, 'the call was not interrupted');
    assert.ok(await a.next((m) => m.type === 'session.tokenExpiring', 5000), 'the renewed expiry is announced too');
    await a.request('call.hangup', { callId });
  });

  test('a renewal for another user, a garbled token or an expired one is refused and the old token stays', async () => {
    const s = await connect('tl-renewer', 60);
    assert.equal((await s.request('session.renew', { token: await server.token('someone-else') })).code, 'forbidden');
    const otherApp = server.apps[1]!;
    assert.equal((await s.request('session.renew', { token: await server.token('tl-renewer', { app: otherApp }) })).code, 'forbidden');
    assert.equal((await s.request('session.renew', { token: 'not-a-jwt' })).code, 'token_malformed');
    const tenant = server.app.services.apps.tenant(server.apps[0]!.environments.development!.appKey)!;
    const stale = await issueToken(tenant, { userId: 'tl-renewer', ttlSeconds: 60 }, Date.now() - 120_000);
    assert.equal((await s.request('session.renew', { token: stale.token })).code, 'token_expired');
    assert.equal((await s.request('ping')).type, 'response', 'the connection stays open');
  });
});
