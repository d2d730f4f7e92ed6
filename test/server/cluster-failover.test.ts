// kill -9 of a cluster node whose clients are in calls held by another node (issue 17, acceptance 4): the
// widgets' own SignalingClient reconnects through deploy/Caddyfile.nodes to a live node, which adopts their
// sessions (same connection id, `resumed: true`); the node holding the call sends their notifications there and
// relays their requests again. A client that does not come back leaves its call after the grace period.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import WebSocket from 'ws';
import type { Notification } from '../../protocol';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { clusterCallKey } from '../../server/cluster/recovery';
import { type SocketLike, SignalingClient } from '../../widget/call/signaling-client';
import { type CaddyBalancer, startCaddyBalancer } from '../support/caddy';
import { startRedis, type TestRedis } from '../support/redis';
import { startServer, type TestServer } from '../support/server';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { until } from '../support/until';
import { connectAs, type TestSocket } from '../support/ws-client';

/** A widget's signaling client as the browser runs it, with its reconnection story logged. */
function widgetClient(server: string, token: string) {
  const log: string[] = [];
  const seen: Notification[] = [];
  const client = new SignalingClient({ server, token, reconnectBaseMs: 100, reconnectMaxMs: 400, socketFactory: (url) => new WebSocket(url) as unknown as SocketLike });
  client.onReconnecting = (e) => log.push(`reconnecting:${e.code}`);
  client.onReconnected = (w) => log.push(`reconnected:${w.resumed}`);
  client.onClose = (e) => log.push(`closed:${e?.code}`);
  client.on((n) => seen.push(n));
  return { client, log, seen };
}

describe('cluster: a node dies mid-call (kill -9)', () => {
  const app = newApp('Failover', { demo: true, origins: ['*'] });
  const dirs: string[] = [];
  let redis: TestRedis;
  let home: TestServer;
  const edges: ServerProcess[] = [];
  let balancer: CaddyBalancer;
  const clients: SignalingClient[] = [];
  const sockets: TestSocket[] = [];

  before(async () => {
    redis = await startRedis();
    // The node holding the calls runs in this process (its rooms can be inspected); the two it balances between
    // are real processes, so one can be killed.
    home = await startServer({ apps: [app], reconnectGraceMs: 3000, cluster: { redisUrl: redis.url, nodeId: 'home' } });
    for (const nodeId of ['edge-a', 'edge-b']) {
      const dataDir = mkdtempSync(join(tmpdir(), `cw-${nodeId}-`));
      dirs.push(dataDir);
      writeAppsFile(join(dataDir, 'apps.json'), [app]);
      edges.push(await startServerProcess(dataDir, { REDIS_URL: redis.url, CLUSTER_NODE_ID: nodeId, CLUSTER_HEARTBEAT_MS: '200', RECONNECT_GRACE_SECONDS: '3' }));
    }
    const caddyfile = readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'Caddyfile.nodes'), 'utf8');
    balancer = await startCaddyBalancer(edges.map((n) => new URL(n.url).host), caddyfile);
    await until('both edges ready behind the balancer', async () => ((await fetch(`${balancer.url}/readyz`)).status === 200 ? true : undefined));
    await until('the home node to see both edges', () => (['edge-a', 'edge-b'].every((id) => home.app.services.topology.isLive(id)) ? true : undefined), 5000);
  });
  after(async () => {
    for (const c of clients) c.close();
    for (const s of sockets) s.close();
    await balancer?.stop();
    for (const e of edges) await e.stop('SIGKILL');
    await home?.close();
    await redis?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function widget(userId: string) {
    const w = widgetClient(balancer.url, await home.token(userId));
    clients.push(w.client);
    await w.client.connect();
    return w;
  }
  async function onHome(userId: string) {
    const s = await connectAs(home.url, await home.token(userId));
    sockets.push(s);
    return s;
  }
  async function call(caller: TestSocket, callee: ReturnType<typeof widgetClient>, calleeId: string): Promise<string> {
    const dial = await caller.request('call.dial', { callees: [calleeId], video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await until(`${calleeId} rings`, () => (callee.seen.some((n) => n.type === 'call.incoming' && n.call.callId === callId) ? true : undefined));
    await callee.client.request('call.accept', { callId, video: false });
    await callee.client.request('media.createTransport', { direction: 'recv' });
    return callId;
  }

  test('the edge dies: its widget resumes through another node and stays in its call; one that never returns leaves it after the grace', async () => {
    // New calls are placed by load: a room on edge-a keeps them off the node that is about to die (else a call
    // placed there would be recovered instead of resumed, which is another test's story).
    const filler = await connectAs(edges[0]!.url, await home.token('fil'));
    sockets.push(filler);
    assert.equal((await filler.request('room.join', { roomId: 'keeps-edge-a-busy' })).type, 'response');
    await until("the home to see edge-a's load", () => (home.app.cluster?.link.liveness.nodes.some((n) => n.id === 'edge-a' && n.load > 0) ? true : undefined), 5000);
    const a = await onHome('ann');
    const b = await widget('bob');
    const callAB = await call(a, b, 'bob');
    // A second call whose callee's connection dies with the edge and never comes back.
    const d = await onHome('dee');
    const lost = new WebSocket(`${balancer.url.replace('http', 'ws')}/v1/signal`);
    await new Promise((r) => lost.once('open', r));
    const lostSeen: Record<string, unknown>[] = [];
    lost.on('message', (data) => lostSeen.push(JSON.parse(String(data)) as Record<string, unknown>));
    lost.send(JSON.stringify({ type: 'hello', protocol: 1, token: await home.token('cal') }));
    await until('cal welcomed', () => (lostSeen.some((m) => m.type === 'welcome') ? true : undefined));
    const dial = await d.request('call.dial', { callees: ['cal'], video: false });
    const callDC = (dial.data as { call: { callId: string } }).call.callId;
    const tenantKey = home.app.services.apps.tenant(app.environments.development!.appKey)!.key;
    assert.notEqual(await home.app.cluster?.directory.homeOf('call', clusterCallKey(tenantKey, callDC)), 'edge-a', 'the second call is not on the node that dies');
    await until('cal rings', () => (lostSeen.some((m) => m.type === 'call.incoming') ? true : undefined));
    lost.send(JSON.stringify({ type: 'call.accept', requestId: 'x', callId: callDC, video: false }));
    await d.next((m) => m.type === 'call.state' && (m.call as { phase: string }).phase === 'connected');

    // Both widgets are on the first edge (lb_policy first); it dies without a word.
    assert.equal(await edges[0]!.stop('SIGKILL'), null);
    await until('bob resumed on the other edge', () => (b.log.includes('reconnected:true') ? true : undefined), 15_000);
    assert.ok(!b.log.some((l) => l.startsWith('closed')), b.log.join(' '));
    // bob's requests reach the call's node again, and its notifications reach bob.
    const send = await b.client.request('media.createTransport', { direction: 'send' });
    assert.ok(send.id, "a send transport on the call's node");
    await a.request('call.hangup', { callId: callAB });
    await until('bob heard the hang-up', () => (b.seen.some((n) => n.type === 'call.ended' && n.callId === callAB && n.reason === 'hangup') ? true : undefined));

    // cal never came back: after the 3 s grace the call ends for dee as a lost connection.
    // Bounded, generous: under a loaded CI machine death detection plus the grace can take a while.
    const ended = await d.next((m) => m.type === 'call.ended', 30_000);
    assert.equal(ended.reason, 'connection_lost');
    await until('records: one end per call', async () => {
      const recent = await home.app.services.records.recentFor(home.app.services.apps.tenant(app.environments.development!.appKey)!.key, 'ann', 5);
      return recent.filter((c) => c.callId === callAB).length === 1 ? true : undefined;
    });
  });
});
