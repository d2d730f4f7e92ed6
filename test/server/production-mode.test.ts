import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { startServer } from '../support/server';
import { startServerProcess } from '../support/server-process';

test('NODE_ENV=production: no demo app without DEMO_APP=on, no demo tokens, and not ready until an app exists', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-prod-mode-'));
  const server = await startServerProcess(dataDir, { NODE_ENV: 'production', HOST: '127.0.0.1' });
  try {
    assert.match(server.output(), /no apps in .*apps\.json: create one with `npm run apps -- create/);
    assert.doesNotMatch(server.output(), /created a development demo app/);
    assert.deepEqual((JSON.parse(readFileSync(join(dataDir, 'apps.json'), 'utf8')) as { apps: unknown[] }).apps, []);
    const demo = await fetch(`${server.url}/v1/demo/token`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"userId":"x"}' });
    assert.equal(demo.status, 404);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(((await ready.json()) as { reasons: string[] }).reasons, ['no app is configured']);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'alive all the same');
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('/readyz is 200 with apps and live workers', async () => {
  const server = await startServer();
  try {
    const res = await fetch(`${server.url}/readyz`);
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { ready: true, reasons: [] });
  } finally {
    await server.close();
  }
});
