// Stopping one node behind a load balancer: deploy/Caddyfile.nodes in front of two real server processes, the
// widget's own SignalingClient (over `ws`) connecting through it. SIGTERM to the node it is on moves its idle
// clients away; they reconnect through the balancer to the other node and can call again, while a call that
// runs on the stopping node goes on until it ends, and then its clients move too.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import { type Notification } from '../../protocol';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { type SocketLike, SignalingClient } from '../../widget/call/signaling-client';
import { type CaddyBalancer, startCaddyBalancer } from '../support/caddy';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { untilTrue } from '../support/until';

const freePort = () =>
  new Promise<number>((resolve) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });

/** Connected sockets on one node, read from its METRICS_PORT listener. */
async function connectionsOn(metricsPort: number): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  return Number(/^call_widget_connections (\d+)$/m.exec(text)?.[1]);
}

const until = (what: string, check: () => boolean | Promise<boolean>, ms = 15_000) => untilTrue(what, check, ms);

/** A widget's signaling client as the browser runs it, with its reconnection story logged. */
function widgetClient(server: string, token: string) {
  const log: string[] = [];
  const seen: Notification[] = [];
  const client = new SignalingClient({
    server,
    token,
    reconnectBaseMs: 100,
    reconnectMaxMs: 400,
    socketFactory: (url) => new WebSocket(url) as unknown as SocketLike,
  });
  client.onReconnecting = (e) => log.push(`reconnecting:${e.code}`);
  client.onReconnected = (w) => log.push(`reconnected:${w.resumed}`);
  client.onClose = (e) => log.push(`closed:${e?.code}`);
  client.on((n) => seen.push(n));
  return { client, log, seen };
}

describe('drain behind a load balancer (deploy/Caddyfile.nodes)', () => {
  const dirs: string[] = [];
  const nodes: ServerProcess[] = [];
  const metricsPorts: number[] = [];
  const clients: SignalingClient[] = [];
  let balancer: CaddyBalancer;
  let auth = '';

  before(async () => {
    const app = newApp('Two nodes', { environments: ['development'] });
    const env = app.environments.development!;
    auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
    for (let i = 0; i < 2; i += 1) {
      const dataDir = mkdtempSync(join(tmpdir(), `cw-node${i}-`));
      dirs.push(dataDir);
      writeAppsFile(join(dataDir, 'apps.json'), [app]);
      const metricsPort = await freePort();
      metricsPorts.push(metricsPort);
      nodes.push(await startServerProcess(dataDir, { DRAIN_SECONDS: '30', METRICS_PORT: String(metricsPort) }));
    }
    const caddyfile = readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'Caddyfile.nodes'), 'utf8');
    balancer = await startCaddyBalancer(nodes.map((n) => new URL(n.url).host), caddyfile);
    await until('both nodes healthy behind the balancer', async () => (await fetch(`${balancer.url}/readyz`)).status === 200);
  });
  after(async () => {
    for (const c of clients) c.close();
    await balancer?.stop();
    for (const n of nodes) await n.stop('SIGKILL');
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function connect(userId: string) {
    const res = await fetch(`${balancer.url}/v1/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
    const w = widgetClient(balancer.url, ((await res.json()) as { token: string }).token);
    clients.push(w.client);
    await w.client.connect();
    return w;
  }

  test('idle widgets move to the other node at once and can call there; a running call finishes first', async () => {
    const idle = await connect('lb-idle');
    const caller = await connect('lb-caller');
    const callee = await connect('lb-callee');
    assert.equal(await connectionsOn(metricsPorts[0]!), 3, 'lb_policy first: everyone on node 0');
    const { call } = await caller.client.request('call.dial', { callees: ['lb-callee'], video: false });
    await until('ring', () => callee.seen.some((n) => n.type === 'call.incoming'));
    await callee.client.request('call.accept', { callId: call.callId, video: false });

    const exited = nodes[0]!.stop('SIGTERM');
    await until('the idle widget resumed elsewhere', () => idle.log.includes('reconnected:false'));
    assert.deepEqual(idle.log.slice(0, 1), ['reconnecting:server_draining']);
    await until('it is on node 1', async () => (await connectionsOn(metricsPorts[1]!)) === 1);

    // A newcomer lands on node 1 too, and the moved widget can call it there.
    const newcomer = await connect('lb-newcomer');
    assert.equal(await connectionsOn(metricsPorts[1]!), 2);
    const { call: second } = await idle.client.request('call.dial', { callees: ['lb-newcomer'], video: false });
    await until('the newcomer rings', () => newcomer.seen.some((n) => n.type === 'call.incoming' && n.call.callId === second.callId));

    // The call on node 0 was never interrupted; when it ends its widgets move as well.
    assert.deepEqual(caller.log, []);
    assert.deepEqual(callee.log, []);
    await caller.client.request('call.hangup', { callId: call.callId });
    await until('the callee heard the hang-up', () => callee.seen.some((n) => n.type === 'call.ended' && n.reason === 'hangup'));
    await until('both moved', () => caller.log.includes('reconnected:false') && callee.log.includes('reconnected:false'));
    assert.equal(await exited, 0, nodes[0]!.output());
    assert.equal(await connectionsOn(metricsPorts[1]!), 4, 'everyone on node 1 now');
  });
});
