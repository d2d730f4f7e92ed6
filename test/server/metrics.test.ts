import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
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
