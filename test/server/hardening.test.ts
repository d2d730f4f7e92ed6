// Hardening a user (or an attacker) meets without any account: security headers on every response, pages
// that cannot be framed or run foreign scripts, a widget bundle still loadable from any site, an API without
// CORS, and data files only the server's own user can read.
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pageCsp } from '../../server/http/page-csp';
import { openSqlite } from '../../server/store/sqlite-client';
import { startServer, type TestServer } from '../support/server';

describe('security headers (@fastify/helmet)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer();
  });
  after(() => server?.close());

  test('every response: nosniff, no framing by other sites, a referrer policy; no CORS on the API', async () => {
    for (const path of ['/', '/live', '/healthz', '/v1/token', '/docs/', '/widget.js']) {
      const res = await fetch(`${server.url}${path}`, { method: path === '/v1/token' ? 'POST' : 'GET', headers: { origin: 'https://evil.example' } });
      assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(res.headers.get('x-frame-options'), 'SAMEORIGIN', path);
      assert.ok(res.headers.get('referrer-policy'), path);
      if (path !== '/widget.js') assert.equal(res.headers.get('access-control-allow-origin'), null, `${path}: no CORS`);
    }
    const preflight = await fetch(`${server.url}/v1/token`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(preflight.headers.get('access-control-allow-origin'), null, 'no preflight answer: browsers cannot call the REST API from pages');
  });

  test('demo pages: a CSP with frame-ancestors, scripts from this origin and their own inline scripts by hash', async () => {
    for (const path of ['/', '/live']) {
      const csp = (await fetch(`${server.url}${path}`)).headers.get('content-security-policy') ?? '';
      assert.match(csp, /frame-ancestors 'self'/, path);
      assert.match(csp, /script-src 'self'/, path);
      assert.match(csp, /object-src 'none'/, path);
      assert.doesNotMatch(csp, /'unsafe-inline'[^;]*;?\s*$|script-src[^;]*'unsafe-inline'/, `${path}: no inline scripts but hashed ones`);
    }
    assert.match((await fetch(`${server.url}/live`)).headers.get('content-security-policy') ?? '', /script-src 'self' 'sha256-/, 'the live page\u2019s inline script is allowed by its hash');
    const docs = (await fetch(`${server.url}/docs/`)).headers.get('content-security-policy') ?? '';
    assert.match(docs, /frame-ancestors 'self'/);
    assert.doesNotMatch(docs, /upgrade-insecure-requests/, '/docs also works on plain http');
  });

  test('the widget bundle and its chunks stay loadable from any origin', async () => {
    const js = await fetch(`${server.url}/widget.js`, { headers: { origin: 'https://shop.example' } });
    assert.equal(js.headers.get('access-control-allow-origin'), '*');
    assert.equal(js.headers.get('cross-origin-resource-policy'), 'cross-origin');
    const chunk = /\/chunks\/[\w.-]+\.js/.exec(await js.text())?.[0];
    assert.ok(chunk, 'the bundle names its lazy chunks');
    const res = await fetch(`${server.url}${chunk}`, { headers: { origin: 'https://shop.example' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    assert.equal(res.headers.get('cross-origin-resource-policy'), 'cross-origin');
  });

  test('pageCsp hashes exactly the inline scripts, not external ones', () => {
    const csp = pageCsp('<script type="module" src="/widget.js"></script><script>alert(1)</script>');
    const hashes = csp.match(/'sha256-[^']+'/g) ?? [];
    assert.deepEqual(hashes, ["'sha256-bhHHL3z2vDgxUt0W3dWQOrprscmda2Y5pLsLg4GF+pI='"]);
  });
});

describe('data files are owner-only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-modes-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('the database and its WAL and SHM files are created 0600, and an existing world-readable one is fixed', async () => {
    const file = join(dir, 'call-widget.db');
    const db = openSqlite(file);
    await db.run('CREATE TABLE probe (x)');
    await db.run('INSERT INTO probe VALUES (1)');
    const files = readdirSync(dir).filter((f) => f.startsWith('call-widget.db'));
    assert.deepEqual(files.sort(), ['call-widget.db', 'call-widget.db-shm', 'call-widget.db-wal']);
    for (const f of files) assert.equal(statSync(join(dir, f)).mode & 0o777, 0o600, f);
    await db.close();
    const old = join(dir, 'old.db');
    writeFileSync(old, '');
    chmodSync(old, 0o644);
    await openSqlite(old).close();
    assert.equal(statSync(old).mode & 0o777, 0o600);
  });
});
