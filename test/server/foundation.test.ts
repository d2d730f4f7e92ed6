import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServer, type TestServer } from '../support/server';
import { startServerProcess } from '../support/server-process';
import { until } from '../support/until';

const TOKEN = 'operator-token-0123456789';
const operator = { headers: { authorization: `Bearer ${TOKEN}` } };

describe('server foundation', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ workers: 2, workerRespawnDelayMs: 1500, metricsToken: TOKEN });
  });
  after(() => server?.close());

  test('/healthz says only alive or not; the operator\u2019s /status lists every live worker with its pid', async () => {
    const health = await fetch(`${server.url}/healthz`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok' }, 'no counts, pids or ports for anyone');
    assert.equal((await fetch(`${server.url}/status`)).status, 401, '/status is the operator\u2019s');
    const res = await fetch(`${server.url}/status`, operator);
    assert.equal(res.status, 200);
    const body = (await res.json()) as { status: string; workers: { pid: number; alive: boolean }[]; rooms: number; connections: number };
    assert.equal(body.rooms, 0);
    assert.equal(body.connections, 0);
    assert.equal(body.status, 'ok');
    assert.equal(body.workers.length, 2);
    for (const w of body.workers) {
      assert.equal(w.alive, true);
      assert.doesNotThrow(() => process.kill(w.pid, 0), `worker ${w.pid} is a live process`);
    }
  });

  test('/widget.js is the script-tag bundle that defines <call-widget>; / is the demo', async () => {
    const js = await fetch(`${server.url}/widget.js`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(await js.text(), /call-widget/);
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(await page.text(), /call-widget/);
    const live = await fetch(`${server.url}/live`);
    assert.match(await live.text(), /<call-widget/);
  });

  test('a dead worker is reported unhealthy until its replacement is up', async () => {
    const victim = server.status().workers[1]!.pid;
    process.kill(victim, 'SIGKILL');
    type Body = { status: string; workers: { pid: number; alive: boolean }[] };
    const body = await until('the dead worker reported', async () => {
      const seen = (await (await fetch(`${server.url}/status`, operator)).json()) as Body;
      return seen.workers.find((w) => w.pid === victim)?.alive ? undefined : seen;
    }, 10_000, 100);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 503);
    assert.equal(body.status, 'degraded');
    assert.equal(body.workers.find((w) => w.pid === victim)?.alive, false);
    type Health = { status: string; workers: { pid: number; alive: boolean; restarts: number }[] };
    const healed = await until('the replacement worker up', async () => {
      const seen = (await (await fetch(`${server.url}/status`, operator)).json()) as Health;
      return seen.status === 'ok' ? seen : undefined;
    }, 15_000, 100);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.equal(healed.workers.length, 2);
    const replacement = healed.workers[1]!;
    assert.notEqual(replacement.pid, victim);
    assert.equal(replacement.restarts, 1);
    assert.doesNotThrow(() => process.kill(replacement.pid, 0), 'the replacement is a live process');
  });
});

describe('server process', () => {
  test('npm start\u2019s entry listens on PORT, prints its URL and exits cleanly on SIGTERM, closing its workers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-main-'));
    const server = await startServerProcess(dataDir, { MEDIASOUP_WORKERS: '2', DEMO_APP: 'on', METRICS_TOKEN: TOKEN });
    const { url } = server;
    const output = server.output();
    assert.match(output, /created a development demo app \(App Key dk_/);
    assert.doesNotMatch(output, /"secret"/);
    const health = (await (await fetch(`${url}/status`, operator)).json()) as { workers: { pid: number }[] };
    assert.equal(health.workers.length, 2);
    const code = await server.stop('SIGTERM');
    assert.equal(code, 0, server.output());
    for (const w of health.workers) assert.throws(() => process.kill(w.pid, 0), `worker ${w.pid} is gone`);
  });
});
