import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startServerProcess } from '../support/server-process';
import { loadConfig } from '../../server/config';
import { connectAs } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';

const TOKEN = 'metrics-token-0123456789';

/** The value of a Prometheus sample line `name{labels} value`. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('/metrics (Prometheus, prom-client)', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ workers: 2, metricsToken: TOKEN });
  });
  after(() => server?.close());

  test('not public: 401 without the bearer token, and no endpoint at all without METRICS_TOKEN', async () => {
    assert.equal((await fetch(`${server.url}/metrics`)).status, 401);
    assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    const plain = await startServer();
    assert.equal((await fetch(`${plain.url}/metrics`)).status, 404);
    await plain.close();
    assert.throws(() => loadConfig({ METRICS_TOKEN: 'short' }), /METRICS_TOKEN must be at least 16 characters/);
  });

  test('connections, rooms, signaling latency by request type, and each worker\u2019s CPU and memory', async () => {
    const a = await connectAs(server.url, await server.token('m-a'));
    const b = await connectAs(server.url, await server.token('m-b'));
    await a.request('room.join', { roomId: 'metrics-room', video: false });
    await b.request('room.join', { roomId: 'metrics-room', video: false });
    await a.request('room.join', { roomId: 'another', video: false }); // refused: already in a room
    const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /text\/plain/);
    const text = await res.text();
    assert.equal(sample(text, 'call_widget_connections'), 2);
    assert.equal(sample(text, 'call_widget_rooms'), 1);
    assert.equal(sample(text, 'call_widget_calls', '{state="ringing"}'), 0);
    assert.equal(sample(text, 'call_widget_calls', '{state="connected"}'), 0);
    assert.equal(sample(text, 'call_widget_webhook_backlog'), 0);
    assert.equal(sample(text, 'call_widget_signaling_request_seconds_count', '{type="room.join",outcome="ok"}'), 2);
    assert.equal(sample(text, 'call_widget_signaling_request_seconds_count', '{type="room.join",outcome="error"}'), 1);
    assert.equal(sample(text, 'call_widget_signaling_request_errors_total', '{type="room.join"}'), 1);
    for (const worker of ['0', '1']) {
      assert.equal(sample(text, 'call_widget_worker_alive', `{worker="${worker}"}`), 1);
      assert.ok((sample(text, 'call_widget_worker_max_rss_bytes', `{worker="${worker}"}`) ?? 0) > 1_000_000, 'worker RSS');
      assert.ok((sample(text, 'call_widget_worker_cpu_seconds', `{worker="${worker}"}`) ?? -1) >= 0, 'worker CPU');
    }
    assert.ok((sample(text, 'call_widget_process_resident_memory_bytes') ?? 0) > 0, 'process metrics');
    // Transports per worker, and calls by state: b creates a transport, then a rings c.
    await b.request('media.createTransport', { direction: 'recv' });
    const c = await connectAs(server.url, await server.token('m-c'));
    await a.request('room.leave', {});
    await a.request('call.dial', { callees: ['m-c'], video: false });
    const after = await (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).text();
    const transports = ['0', '1'].map((w) => sample(after, 'call_widget_worker_transports', `{worker="${w}"}`) ?? 0);
    assert.equal(transports[0]! + transports[1]!, 1, `one transport in all: ${transports.join(',')}`);
    assert.equal(sample(after, 'call_widget_calls', '{state="ringing"}'), 1);
    a.close();
    b.close();
    c.close();
  });
});

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

describe('METRICS_PORT: a separate metrics listener', () => {
  test('serves /metrics without a token on its own loopback port, nothing else; the public port has none', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-metrics-port-'));
    const port = await freePort();
    const server = await startServerProcess(dataDir, { METRICS_PORT: String(port), DEMO_APP: 'on' });
    try {
      assert.match(server.output(), new RegExp(`metrics listening at http://127\\.0\\.0\\.1:${port}/metrics`));
      const res = await fetch(`http://127.0.0.1:${port}/metrics`);
      assert.equal(res.status, 200);
      assert.match(await res.text(), /^call_widget_connections 0$/m);
      const status = (await (await fetch(`http://127.0.0.1:${port}/status`)).json()) as { workers: { pid: number }[]; connections: number };
      assert.equal(status.workers.length, 1);
      assert.equal(status.connections, 0);
      assert.equal((await fetch(`http://127.0.0.1:${port}/healthz`)).status, 404, 'only /metrics and /status on the metrics port');
      assert.equal((await fetch(`${server.url}/metrics`)).status, 404, 'no /metrics on the public port without METRICS_TOKEN');
      assert.equal(await server.stop('SIGTERM'), 0, server.output());
    } finally {
      await server.stop('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    }
    assert.throws(() => loadConfig({ PORT: '3000', METRICS_PORT: '3000' }), /METRICS_PORT must differ from PORT/);
    assert.throws(() => loadConfig({ METRICS_PORT: '9100', METRICS_HOST: 'nowhere' }), /METRICS_HOST must be an IPv4 or IPv6 address/);
  });
});
