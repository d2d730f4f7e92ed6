// Guessing an app secret over REST: failures are counted per App Key and client address and per address; a
// caller over the limit is refused with 429 before its credentials are checked, while a site's backend at
// another address keeps working.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { startServer, type TestServer } from '../support/server';

const shop = newApp('Shop', { environments: ['development'] });
const other = newApp('Other', { environments: ['development'] });
const keyOf = (app: typeof shop) => app.environments.development!.appKey;
const secretOf = (app: typeof shop) => app.environments.development!.secret;
const basic = (key: string, secret: string) => `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;

describe('REST authentication failures', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ apps: [shop, other], trustProxy: ['127.0.0.1'], authFailureLimits: { perAppKeyAndAddress: 3, perAddress: 5 } });
  });
  after(async () => server?.close());

  const listCalls = (from: string, authorization: string) =>
    server.app.inject({ method: 'GET', url: '/v1/calls', headers: { authorization, 'x-forwarded-for': from } });
  const getToken = (from: string, authorization: string) =>
    server.app.inject({ method: 'POST', url: '/v1/token', headers: { authorization, 'x-forwarded-for': from }, payload: { userId: 'alice' } });

  test('after 3 wrong secrets for one App Key, that address is refused with 429, even with the right secret', async () => {
    for (let i = 0; i < 3; i += 1) assert.equal((await listCalls('203.0.113.7', basic(keyOf(shop), `guess-${i}`))).statusCode, 401);
    const refused = await listCalls('203.0.113.7', basic(keyOf(shop), secretOf(shop)));
    assert.equal(refused.statusCode, 429);
    assert.equal(refused.json().code, 'rate_limited');
    assert.ok(Number(refused.headers['retry-after']) > 0);
    assert.equal((await getToken('203.0.113.7', basic(keyOf(shop), secretOf(shop)))).statusCode, 429, 'every REST route shares the count');
    // The site's own backend, elsewhere, is not locked out; the guesser may still use another app it owns.
    assert.equal((await getToken('198.51.100.1', basic(keyOf(shop), secretOf(shop)))).statusCode, 200);
    assert.equal((await listCalls('203.0.113.7', basic(keyOf(other), secretOf(other)))).statusCode, 200);
  });

  test('an address trying many App Keys is refused after 5 failures in all', async () => {
    for (let i = 0; i < 5; i += 1) assert.equal((await listCalls('203.0.113.9', basic(`dk_made-up-${i}`, 'x'))).statusCode, 401);
    assert.equal((await listCalls('203.0.113.9', basic(keyOf(other), secretOf(other)))).statusCode, 429);
    assert.equal((await listCalls('203.0.113.9', 'Bearer nonsense')).statusCode, 429);
    assert.equal((await listCalls('198.51.100.2', basic(keyOf(other), secretOf(other)))).statusCode, 200);
  });
});
