import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { newApp } from '../../server/store/apps-file';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

const shop = newApp('Shop', { origins: ['https://shop.example'] });
// The development environment is limited tighter than production: limits are per environment.
shop.environments.development!.tokenRequestsPerMinute = 20;
const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

describe('Get Token API', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ apps: [shop], tokenRateLimitPerMinute: 20 });
  });
  after(() => server?.close());

  const post = (body: unknown, auth?: string) =>
    fetch(`${server.url}/v1/token`, { method: 'POST', headers: { 'content-type': 'application/json', ...(auth ? { authorization: auth } : {}) }, body: JSON.stringify(body) });

  test('issues a token with the documented claims that connects to signaling', async () => {
    const env = shop.environments.production!;
    const res = await post({ userId: 'doc-1', name: 'Dr. One', ttlSeconds: 600, grants: { roomAdmin: true } }, basic(env.appKey, env.secret));
    assert.equal(res.status, 200);
    const body = (await res.json()) as { token: string; expiresAt: string };
    const claims = decodeJwt(body.token);
    assert.equal(claims.iss, env.appKey);
    assert.equal(claims.sub, 'doc-1');
    assert.equal(claims.env, 'production');
    assert.equal(claims.name, 'Dr. One');
    assert.deepEqual(claims.grants, { canPublish: true, canSubscribe: true, roomAdmin: true });
    assert.equal((claims.exp ?? 0) - (claims.iat ?? 0), 600);
    assert.equal(typeof claims.jti, 'string');
    assert.equal(new Date(body.expiresAt).getTime(), (claims.exp ?? 0) * 1000);
    const socket = await connectAs(server.url, body.token, { origin: 'https://shop.example' });
    assert.equal(socket.messages[0]?.environment, 'production');
    socket.close();
  });

  test('wrong secret or missing auth → 401', async () => {
    const env = shop.environments.development!;
    assert.equal((await post({ userId: 'u' }, basic(env.appKey, 'wrong-secret-wrong-secret'))).status, 401);
    assert.equal((await post({ userId: 'u' }, basic('dk_unknown', env.secret))).status, 401);
    const res = await post({ userId: 'u' });
    assert.equal(res.status, 401);
    assert.match(res.headers.get('www-authenticate') ?? '', /Basic/);
  });

  test('bad body → 400 naming the schema error (unknown fields, bad userId, ttl above 24 h)', async () => {
    const env = shop.environments.development!;
    const auth = basic(env.appKey, env.secret);
    for (const body of [{}, { userId: 'u', admin: true }, { userId: 'has spaces' }, { userId: 'u', ttlSeconds: 90_000 }]) {
      const res = await post(body, auth);
      assert.equal(res.status, 400, JSON.stringify(body));
      const err = (await res.json()) as { message: string };
      assert.ok(err.message.length > 0);
    }
    const missing = (await (await post({}, auth)).json()) as { message: string };
    assert.match(missing.message, /userId/);
  });

  test('rate limit → 429, per App Key at that environment\u2019s limit; other App Keys are unaffected', async () => {
    const dev = shop.environments.development!;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await post({ userId: `r${i}` }, basic(dev.appKey, dev.secret))).status);
    // Earlier tests of this suite already spent some of this App Key's 20 per minute.
    const ok = statuses.filter((s) => s === 200).length;
    assert.ok(ok > 0 && ok <= 20 && statuses.at(-1) === 429, `the development limit is 20/min: ${statuses.join(',')}`);
    // The same backend (same address) keeps issuing production tokens: its own bucket, limit 600/min.
    const prod = shop.environments.production!;
    assert.equal((await post({ userId: 'still-fine' }, basic(prod.appKey, prod.secret))).status, 200);
  });

  test('secret guessing is limited per client address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 25; i += 1) statuses.push((await post({ userId: 'x' }, basic(shop.environments.production!.appKey, `guess-${i}`))).status);
    assert.ok(statuses.includes(429), `statuses ${statuses.join(',')}`);
  });

  test('/docs serves the OpenAPI document describing /v1/token', async () => {
    const res = await fetch(`${server.url}/docs/json`);
    assert.equal(res.status, 200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, { post?: { requestBody?: unknown; security?: unknown } }> };
    assert.match(doc.openapi, /^3\./);
    const op = doc.paths['/v1/token']?.post;
    assert.ok(op?.requestBody, 'request body documented');
    assert.ok(op?.security, 'auth documented');
    assert.equal((await fetch(`${server.url}/docs`, { redirect: 'follow' })).status, 200);
  });

  test('demo token endpoint is 404 without a demo app', async () => {
    const res = await fetch(`${server.url}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"x"}' });
    assert.equal(res.status, 404);
  });
});

describe('demo token endpoint', () => {
  test('with a development demo app it issues development tokens without a secret', async () => {
    const server = await startServer({ apps: [newApp('Demo', { demo: true, environments: ['development'] })] });
    try {
      const res = await fetch(`${server.url}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"visitor","name":"V"}' });
      assert.equal(res.status, 200);
      const { token } = (await res.json()) as { token: string };
      assert.equal(decodeJwt(token).env, 'development');
      (await connectAs(server.url, token, { origin: 'https://any.example' })).close();
    } finally {
      await server.close();
    }
  });
});

describe('TRUST_PROXY', () => {
  test('behind a trusted proxy the per-address limit keys on the client in X-Forwarded-For', async () => {
    const server = await startServer({ apps: [newApp('Demo', { demo: true, environments: ['development'] })], tokenRateLimitPerMinute: 3, trustProxy: ['127.0.0.1'] });
    try {
      const demoToken = (client: string) =>
        fetch(`${server.url}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-forwarded-for': client }, body: '{"userId":"v"}' });
      const first: number[] = [];
      for (let i = 0; i < 5; i += 1) first.push((await demoToken('198.51.100.1')).status);
      assert.deepEqual(first, [200, 200, 200, 429, 429], 'one visitor hits the limit');
      assert.equal((await demoToken('198.51.100.2')).status, 200, 'another visitor behind the same proxy does not');
    } finally {
      await server.close();
    }
  });
});
