// Signaling load: N authenticated WebSockets against real server processes, with call churn (dial → accept →
// hang up, no media) at a set rate. Reports calls/s, request latency p50/p99, errors and server RSS per user.
// With nodes=3 the servers form a cluster (a real redis-server, one PostgreSQL for records): users are spread
// round-robin, so every call's caller and callee are on different nodes (each call is relayed).
// Usage: node --import tsx bench/signaling-load.ts [users=1000] [callsPerSecond=20] [seconds=20] [nodes=1]
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../protocol';
import { newApp, writeAppsFile } from '../server/store/apps-file';
import { startPostgres, type TestPostgres } from '../test/support/postgres';
import { startRedis, type TestRedis } from '../test/support/redis';
import { percentile, saveResult, summary } from './lib';

const USERS = Number(process.argv[2] ?? 1000);
const RATE = Number(process.argv[3] ?? 20);
const SECONDS = Number(process.argv[4] ?? 20);
const NODES = Number(process.argv[5] ?? 1);

const app = newApp('Load', { demo: true, origins: ['*'], environments: ['development'] });
// The bench's own users: generous per-user and per-tenant bounds (the defaults protect a shared server).
app.environments.development!.limits = { ...app.environments.development!.limits, maxConnections: 100_000, ringsPerCallerPerMinute: 100_000, ringsPerCalleePerMinute: 100_000 };
let redis: TestRedis | undefined;
let postgres: TestPostgres | undefined;
const cluster: Record<string, string> = {};
if (NODES > 1) {
  redis = await startRedis();
  postgres = await startPostgres();
  Object.assign(cluster, { REDIS_URL: redis.url, DATABASE_URL: await postgres.createDatabase('load') });
}

async function startNode(i: number): Promise<{ url: string; proc: ChildProcess }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'cw-load-'));
  writeAppsFile(join(dataDir, 'apps.json'), [app]);
  const proc = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, NODE_ENV: 'production', LOG_LEVEL: 'info', MEDIASOUP_WORKERS: '1', RTC_PORT: '0', MAX_UNAUTHENTICATED_PER_ADDRESS: '100000', MESSAGES_PER_SECOND: '1000', ...cluster, ...(NODES > 1 ? { CLUSTER_NODE_ID: `load-${i}` } : {}) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve) => {
    let out = '';
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m && out.includes('ready at')) resolve(m[1]!);
    });
  });
  return { url, proc };
}
const nodes = await Promise.all(Array.from({ length: NODES }, (_, i) => startNode(i)));
// Every node sees the others before users dial across them (heartbeat 1 s).
if (NODES > 1) await new Promise((r) => setTimeout(r, 3000));
const rssOf = (pid: number | undefined) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const rss = () => nodes.reduce((sum, n) => sum + rssOf(n.proc.pid), 0);
const env = app.environments.development!;
const secret = new TextEncoder().encode(env.secret);
interface Client {
  id: string;
  ws: WebSocket;
  pending: Map<string, { resolve(m: Record<string, unknown>): void; at: number }>;
  onNotification?: (m: Record<string, unknown>) => void;
}
const latencies: number[] = [];
let errors = 0;
let seq = 0;

async function connect(id: string, url: string): Promise<Client> {
  const token = await new SignJWT({ env: 'development', grants: { canPublish: true, canSubscribe: true, roomAdmin: false } })
    .setProtectedHeader({ alg: 'HS256' }).setIssuer(env.appKey).setSubject(id).setIssuedAt().setExpirationTime('1h').sign(secret);
  const ws = new WebSocket(`${url.replace('http', 'ws')}/v1/signal`);
  const client: Client = { id, ws, pending: new Map() };
  await new Promise<void>((resolve, reject) => {
    ws.on('error', reject);
    ws.on('message', (data) => {
      const m = JSON.parse(String(data)) as Record<string, unknown>;
      if (m.type === 'welcome') return resolve();
      const p = typeof m.requestId === 'string' ? client.pending.get(m.requestId) : undefined;
      if (p) {
        client.pending.delete(m.requestId as string);
        latencies.push(performance.now() - p.at);
        if (m.type === 'error') errors += 1;
        p.resolve(m);
      } else client.onNotification?.(m);
    });
    ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token })));
  });
  return client;
}

function request(c: Client, type: string, payload: Record<string, unknown>): Promise<Record<string, unknown>> {
  const requestId = String(++seq);
  return new Promise((resolve) => {
    c.pending.set(requestId, { resolve, at: performance.now() });
    c.ws.send(JSON.stringify({ type, requestId, ...payload }));
  });
}

const rssBefore = rss();
const clients: Client[] = [];
for (let i = 0; i < USERS; i += 50) {
  clients.push(...(await Promise.all(Array.from({ length: Math.min(50, USERS - i) }, (_, k) => connect(`u${i + k}`, nodes[(i + k) % NODES]!.url)))));
}
await new Promise((r) => setTimeout(r, 500));
const rssConnected = rss();
console.log(`[load] ${clients.length} users connected; RSS ${(rssConnected / 2 ** 20).toFixed(0)} MiB`);

// Call churn: pairs (2k, 2k+1) dial → accept → hang up.
let calls = 0;
let failedCalls = 0;
async function oneCall(caller: Client, callee: Client): Promise<void> {
  const incoming = new Promise<string>((resolve) => (callee.onNotification = (m) => m.type === 'call.incoming' && resolve((m.call as { callId: string }).callId)));
  const dial = await request(caller, 'call.dial', { callees: [callee.id], video: false });
  if (dial.type !== 'response') return void (failedCalls += 1);
  const callId = await incoming;
  const accepted = await request(callee, 'call.accept', { callId, video: false });
  if (accepted.type !== 'response') return void (failedCalls += 1);
  await request(caller, 'call.hangup', { callId });
  calls += 1;
}
const pairs = Math.floor(clients.length / 2);
const busy = new Set<number>();
const started = performance.now();
const inflight: Promise<void>[] = [];
let next = 0;
while (performance.now() - started < SECONDS * 1000) {
  const pair = next++ % pairs;
  if (!busy.has(pair)) {
    busy.add(pair);
    inflight.push(oneCall(clients[2 * pair]!, clients[2 * pair + 1]!).finally(() => busy.delete(pair)));
  }
  await new Promise((r) => setTimeout(r, 1000 / RATE));
}
await Promise.all(inflight);
const elapsed = (performance.now() - started) / 1000;
const rssAfter = rss();
for (const c of clients) c.ws.close();
for (const n of nodes) n.proc.kill('SIGTERM');
await Promise.all(nodes.map((n) => new Promise((r) => (n.proc.exitCode !== null ? r(null) : n.proc.once('exit', r)))));
await redis?.close();
await postgres?.close();

saveResult(NODES > 1 ? `signaling-load-${NODES}-nodes` : 'signaling-load', {
  method:
    NODES > 1
      ? `${USERS} authenticated sockets from one Node process, spread round-robin over ${NODES} server processes on loopback forming a cluster (a real redis-server, one PostgreSQL for records; 1 mediasoup worker each) — caller and callee always on different nodes, so every accept and hang-up is relayed; churn: ${RATE} calls/s offered for ${SECONDS} s, each dial → accept → hang up; latency = request → response. All processes share the machine's cores`
      : `${USERS} authenticated sockets from one Node process to a server process on loopback (1 mediasoup worker); churn: ${RATE} calls/s offered for ${SECONDS} s, each dial → accept → hang up (each call also creates and closes a room router); latency = request → response`,
  summary: {
    users: clients.length,
    callsPerSecond: Math.round((calls / elapsed) * 10) / 10,
    completedCalls: calls,
    failedCalls,
    errors,
    latencyMs: { ...summary(latencies), p99: Math.round(percentile(latencies, 99) * 10) / 10 },
    rssMiB: { beforeUsers: Math.round(rssBefore / 2 ** 20), connected: Math.round(rssConnected / 2 ** 20), afterChurn: Math.round(rssAfter / 2 ** 20) },
    rssPerUserKiB: Math.round((rssConnected - rssBefore) / clients.length / 1024),
    nodes: NODES,
  },
});
process.exit(0);
