import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SignJWT } from 'jose';
import { PROTOCOL_VERSION } from '../../protocol';
import { AppRegistry } from '../../server/domain/apps';
import { newApp } from '../../server/store/apps-file';
import { connectAs, openSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';
import { until } from '../support/until';

const demo = newApp('Demo', { demo: true, origins: ['*'] });
const shop = newApp('Shop', { origins: ['https://shop.example'] });
const other = newApp('Other', { origins: ['https://other.example'] });

/** Sends hello with `token`; resolves with the error it got and the close code. */
async function refused(server: TestServer, token: string, options: { origin?: string; protocol?: number; environment?: string } = {}) {
  const socket = await openSocket(server.url, options.origin ? { origin: options.origin } : {});
  socket.send({ type: 'hello', protocol: options.protocol ?? PROTOCOL_VERSION, token, ...(options.environment ? { environment: options.environment } : {}) });
  const error = await socket.next((m) => m.type === 'error' || m.type === 'welcome');
  const closed = await socket.closed;
  return { code: error.code, type: error.type, closeCode: closed.code };
}

async function sign(secret: string, claims: Record<string, unknown>, exp: number | string = '1h'): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt().setExpirationTime(exp).sign(new TextEncoder().encode(secret));
}

describe('signaling authentication', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ apps: [demo, shop, other], signalingLimits: { heartbeatIntervalMs: 300 }, reconnectGraceMs: 400 });
  });
  after(() => server?.close());

  test('a valid token connects, gets a welcome and appears in presence (several connections per user)', async () => {
    const token = await server.token('alice', { app: shop, name: 'Alice' });
    const tab1 = await connectAs(server.url, token, { origin: 'https://shop.example' });
    const tab2 = await connectAs(server.url, token, { origin: 'https://shop.example' });
    const welcome = tab1.messages[0]!;
    assert.equal(welcome.type, 'welcome');
    assert.deepEqual(welcome.user, { userId: 'alice', name: 'Alice' });
    assert.equal(welcome.environment, 'development');
    const tenantKey = server.app.services.apps.tenant(shop.environments.development!.appKey)!.key;
    assert.equal(server.app.services.presence.connectionsOf(tenantKey, 'alice').length, 2);
    tab1.close();
    await tab1.closed;
    await until('the closed tab to leave presence', () => (server.app.services.presence.connectionsOf(tenantKey, 'alice').length === 1 ? true : undefined), 2000);
    tab2.close();
  });

  test('each rejection has its own documented error code and close code', async () => {
    const dev = shop.environments.development!;
    const prod = shop.environments.production!;
    const origin = 'https://shop.example';
    const cases: [string, Promise<{ code: unknown; closeCode: number }>, string, number][] = [
      ['missing', refused(server, '', { origin }), 'token_missing', 4001],
      ['malformed', refused(server, 'not.a.jwt', { origin }), 'token_malformed', 4002],
      ['expired', sign(dev.secret, { iss: dev.appKey, sub: 'u', env: 'development' }, Math.floor(Date.now() / 1000) - 10).then((t) => refused(server, t, { origin })), 'token_expired', 4003],
      ['bad signature', sign('x'.repeat(40), { iss: dev.appKey, sub: 'u', env: 'development' }).then((t) => refused(server, t, { origin })), 'token_bad_signature', 4004],
      ['unknown App Key', sign(dev.secret, { iss: 'dk_nope', sub: 'u', env: 'development' }).then((t) => refused(server, t, { origin })), 'unknown_app_key', 4005],
      ['env claim mismatch', sign(prod.secret, { iss: prod.appKey, sub: 'u', env: 'development' }).then((t) => refused(server, t, { origin })), 'environment_mismatch', 4006],
      ['widget expects production', server.token('u', { app: shop }).then((t) => refused(server, t, { origin, environment: 'production' })), 'environment_mismatch', 4006],
      ['origin not allowed', server.token('u', { app: shop }).then((t) => refused(server, t, { origin: 'https://evil.example' })), 'origin_not_allowed', 4007],
      ['unsupported protocol', server.token('u', { app: shop }).then((t) => refused(server, t, { origin, protocol: 99 })), 'unsupported_protocol', 4008],
    ];
    for (const [name, result, code, closeCode] of cases) {
      const r = await result;
      assert.equal(r.code, code, name);
      assert.equal(r.closeCode, closeCode, name);
    }
  });

  test('"*" origins work for demo apps only', async () => {
    const t = await server.token('u', { app: demo });
    await connectAs(server.url, t, { origin: 'https://anything.example' }).then((s) => s.close());
    assert.throws(() => new AppRegistry([newApp('Bad', { origins: ['*'] })]), /only allowed for demo apps/);
  });

  test('messages before hello are refused with not_authenticated; the socket stays usable', async () => {
    const socket = await openSocket(server.url);
    const r = await socket.request('room.join', { roomId: 'x' });
    assert.equal(r.code, 'not_authenticated');
    socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: await server.token('late', { app: demo }) });
    assert.equal((await socket.next((m) => m.type === 'welcome')).type, 'welcome');
    const again = await socket.request('hello', { protocol: PROTOCOL_VERSION, token: 'x' });
    assert.equal(again.code, 'already_authenticated');
    socket.close();
  });

  test('a connection that stops answering heartbeats is closed, and leaves presence once the grace period is over', async () => {
    const socket = await connectAs(server.url, await server.token('sleepy', { app: demo }));
    const tenantKey = server.app.services.apps.tenant(demo.environments.development!.appKey)!.key;
    assert.ok(server.app.services.presence.isOnline(tenantKey, 'sleepy'));
    // Stop answering pings (ws auto-replies with pong; remove that behaviour).
    (socket.ws as unknown as { _receiver: { removeAllListeners(e: string): void } })._receiver.removeAllListeners('ping');
    socket.ws.pong = () => undefined;
    const closed = await socket.closed;
    assert.equal(closed.code, 4010);
    assert.ok(server.app.services.presence.isOnline(tenantKey, 'sleepy'), 'kept for a resume during the grace period');
    await until('the grace period to end', () => (server.app.services.presence.isOnline(tenantKey, 'sleepy') ? undefined : true), 5000);
  });
});
