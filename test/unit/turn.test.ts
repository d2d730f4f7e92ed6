import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { test } from 'node:test';
import { loadConfig } from '../../server/config';
import { turnIceServers } from '../../server/domain/turn';

const turn = { urls: ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349'], secret: 's3cret', credentialTtlSeconds: 600 };

test('TURN credentials follow coturn use-auth-secret: <expiry>:<userId>, base64(HMAC-SHA1(secret, username))', () => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  const [server] = turnIceServers(turn, 'alice', now + 3600_000, now);
  assert.ok(server);
  assert.deepEqual(server.urls, turn.urls);
  const expiry = now / 1000 + 600;
  assert.equal(server.username, `${expiry}:alice`);
  assert.equal(server.credential, createHmac('sha1', 's3cret').update(`${expiry}:alice`).digest('base64'));
});

test('a TURN credential never outlives the token it was derived for', () => {
  const now = Date.UTC(2026, 11, 3, 12, 0, 0);
  const [server] = turnIceServers(turn, 'bob', now + 120_000, now);
  assert.equal(server?.username, `${now / 1000 + 120}:bob`);
});

test('no TURN configured: no ICE servers', () => {
  assert.deepEqual(turnIceServers({ urls: [], secret: undefined, credentialTtlSeconds: 600 }, 'carol', Date.now() + 1000), []);
});

test('TURN configuration is checked: URL scheme, and URLs and secret only together', () => {
  assert.throws(() => loadConfig({ TURN_URLS: 'http://turn.example.com', TURN_SECRET: 'x' }), /TURN_URLS must be comma-separated turn: or turns: URLs/);
  assert.throws(() => loadConfig({ TURN_URLS: 'turn:turn.example.com' }), /TURN_SECRET must be set/);
  assert.throws(() => loadConfig({ TURN_SECRET: 'x' }), /TURN_URLS must be set/);
  assert.deepEqual(loadConfig({ TURN_URLS: 'turn:a.example:3478, turns:a.example:5349', TURN_SECRET: 'x' }).turn.urls, ['turn:a.example:3478', 'turns:a.example:5349']);
});
