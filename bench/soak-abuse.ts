// `npm run soak:abuse`: drives every abuse class of issue 15 against a real server process on loopback — one
// hostile user or app at a time — while a probe measures what another app's users notice: /healthz latency
// and call setup (dial → accept) latency, plus the server's own event-loop delay p99 (from /metrics). Every
// loop is bounded; it prints one table and writes bench/results/soak-abuse.json.
import { mkdtempSync } from 'node:fs';
import type { Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../protocol';
import { DEFAULT_LIMITS, type AppDefinition, type Tenant } from '../server/domain/apps';
import { issueToken } from '../server/domain/tokens';
import { newApp, writeAppsFile } from '../server/store/apps-file';
import { startServerProcess } from '../test/support/server-process';
import { connectAs, openSocket, type TestSocket } from '../test/support/ws-client';
import { percentile, saveResult } from './lib';

type Msg = Record<string, unknown>;
const METRICS_TOKEN = 'soak-metrics-token-0123456789';

const hostile = newApp('Hostile', { environments: ['development'] });
hostile.environments.development!.limits = { ...DEFAULT_LIMITS, maxTransports: 20 };
hostile.environments.development!.webhooks.urls = ['https://169.254.169.254/latest/meta-data/', 'http://127.0.0.1:9/hooks', 'https://localhost:9/hooks'];
const neighbour = newApp('Neighbour', { environments: ['development'] });
// The probe sets up a call every second, all day long: its app allows that many rings (limits are per app).
neighbour.environments.development!.limits = { ...DEFAULT_LIMITS, ringsPerCallerPerMinute: 1000, ringsPerCalleePerMinute: 1000 };
const dataDir = mkdtempSync(join(tmpdir(), 'cw-soak-'));
writeAppsFile(join(dataDir, 'apps.json'), [hostile, neighbour]);
const server = await startServerProcess(dataDir, { METRICS_TOKEN, HEARTBEAT_SECONDS: '2' });

const tenantOf = (app: AppDefinition): Tenant => ({ key: `${app.id}:development`, app, environment: 'development', settings: app.environments.development! });
const token = async (app: AppDefinition, userId: string, options: { ttlSeconds?: number; roomAdmin?: boolean } = {}) =>
  (await issueToken(tenantOf(app), { userId, ttlSeconds: options.ttlSeconds ?? 3600, grants: { roomAdmin: options.roomAdmin ?? false } })).token;
const open: TestSocket[] = [];
const connect = async (app: AppDefinition, userId: string, options: { ttlSeconds?: number; roomAdmin?: boolean } = {}) => {
  const s = await connectAs(server.url, await token(app, userId, options));
  open.push(s);
  return s;
};

// What another app's users notice while an abuse class runs.
interface Probe {
  healthz: number[];
  callSetup: number[];
  failures: number;
}
let probe: Probe = { healthz: [], callSetup: [], failures: 0 };
let probing = true;
const [caller, callee] = [await connect(neighbour, 'probe-caller'), await connect(neighbour, 'probe-callee')];
const probeLoop = (async () => {
  for (let i = 0; probing && i < 100_000; i += 1) {
    const t0 = performance.now();
    const res = await fetch(`${server.url}/healthz`).catch(() => undefined);
    probe.healthz.push(performance.now() - t0);
    if (!res?.ok) probe.failures += 1;
    if (i % 10 === 0) {
      const t1 = performance.now();
      const dial = await caller.request('call.dial', { callees: ['probe-callee'], video: false });
      const callId = (dial.data as { call?: { callId: string } } | undefined)?.call?.callId;
      const accepted = callId ? await callee.next((m) => m.type === 'call.incoming', 10_000).then(() => callee.request('call.accept', { callId, video: false })) : undefined;
      if (accepted?.type === 'response') probe.callSetup.push(performance.now() - t1);
      else probe.failures += 1;
      if (callId) await caller.request('call.hangup', { callId });
    }
    await sleep(100);
  }
})();

/** The server's event-loop delay since the previous call (prom-client resets its histogram on each scrape). */
async function eventLoopMs(): Promise<{ p99: number; max: number }> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const text = await res.text();
  const gauge = (name: string) => Math.round(Number(new RegExp(`^call_widget_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN) * 10_000) / 10;
  if (!res.ok) throw new Error(`/metrics answered ${res.status}: ${text.slice(0, 200)}`);
  return { p99: gauge('p99'), max: gauge('max') };
}

interface Outcome {
  attempts: number;
  refused: number;
  /** What the class must never produce: internal errors, a refusal that should not happen. */
  unexpected: number;
}
const answersOf = (answers: Msg[], code: string): Outcome => ({
  attempts: answers.length,
  refused: answers.filter((m) => m.code === code).length,
  unexpected: answers.filter((m) => m.code === 'internal').length,
});
const closeCodeOf = async (s: TestSocket, timeoutMs: number) => (await Promise.race([s.closed, sleep(timeoutMs, { code: -1 })])).code;

const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: `${'AB:'.repeat(31)}AB` }] };
let ssrc = 100;
const audioRtp = (mid: string) => ({ mid, codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc: ++ssrc }], headerExtensions: [], rtcp: { cname: 'soak' } });

const classes: Array<[string, () => Promise<Outcome>]> = [
  ['1 every request type, 20× the rate limit, 10 sockets of one user', async () => {
    const sockets = await Promise.all(Array.from({ length: 10 }, () => connect(hostile, 'flooder')));
    const types = [['ping', {}], ['calls.recent', { limit: 50 }], ['room.join', { roomId: 'flood-room', video: false }], ['room.leave', {}], ['call.dial', { callees: ['nobody-home'], video: false }], ['media.createTransport', { direction: 'send' }]] as const;
    // 3 s of waves: 10 sockets × 10 requests every 100 ms, 1000 per second — 20 times the user's budget.
    const pending: Promise<Msg>[] = [];
    for (let wave = 0; wave < 30; wave += 1) {
      for (const s of sockets) for (let i = 0; i < 10; i += 1) pending.push(s.request(types[(wave + i) % types.length]![0], types[(wave + i) % types.length]![1] as Msg));
      await sleep(100);
    }
    return answersOf(await Promise.all(pending), 'rate_limited');
  }],
  ['2 a socket that stops reading', async () => {
    const s = await connect(hostile, 'slow-reader');
    (s.ws as unknown as { _socket: Socket })._socket.pause();
    for (let i = 0; i < 300 && s.ws.readyState === WebSocket.OPEN; i += 1) {
      for (let j = 0; j < 1000; j += 1) s.ws.send(`{"type":"ping","requestId":"${'x'.repeat(64)}"}`);
      await sleep(5);
    }
    await sleep(500);
    (s.ws as unknown as { _socket: Socket })._socket.resume();
    return { attempts: 1, refused: (await closeCodeOf(s, 10_000)) === 4013 ? 1 : 0, unexpected: 0 };
  }],
  ['2 pongs nobody asked for', async () => {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/signal`, { autoPong: false });
    const closed = new Promise<number>((resolve) => ws.on('close', resolve));
    await new Promise((resolve) => ws.once('open', resolve));
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: await token(hostile, 'pong-faker') }));
    const faker = setInterval(() => ws.readyState === WebSocket.OPEN && ws.pong(Buffer.from('fake')), 100);
    const code = await Promise.race([closed, sleep(10_000, -1)]);
    clearInterval(faker);
    return { attempts: 1, refused: code === 4010 ? 1 : 0, unexpected: 0 };
  }],
  ['3 transports, producers and disguised media of one participant', async () => {
    const s = await connect(hostile, 'media-hog');
    await s.request('room.join', { roomId: 'hog-room', video: true });
    const transports = await Promise.all(Array.from({ length: 20 }, () => s.request('media.createTransport', { direction: 'send' })));
    const send = transports.find((m) => m.type === 'response')!.data as { id: string };
    await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const producers = [];
    for (let i = 0; i < 20; i += 1) producers.push(await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp(String(i)), source: 'mic' }));
    const answers = [...transports, ...producers];
    await s.request('room.leave');
    return { attempts: answers.length, refused: answers.filter((m) => m.code === 'limit_exceeded').length, unexpected: answers.filter((m) => m.code === 'internal').length };
  }],
  ['3 one app exhausting its transport cap (20)', async () => {
    const answers: Msg[] = [];
    for (let i = 0; i < 15; i += 1) {
      const s = await connect(hostile, `cap-${i}`);
      await s.request('room.join', { roomId: 'cap-room', video: false });
      answers.push(await s.request('media.createTransport', { direction: 'send' }), await s.request('media.createTransport', { direction: 'recv' }));
    }
    const outcome = answersOf(answers, 'limit_exceeded');
    const other = await connect(neighbour, 'cap-neighbour');
    await other.request('room.join', { roomId: 'cap-room', video: false });
    if ((await other.request('media.createTransport', { direction: 'send' })).type !== 'response') outcome.unexpected += 1;
    for (const s of open.splice(0)) if (s !== caller && s !== callee) s.close();
    open.push(caller, callee);
    return outcome;
  }],
  ['4 connections of one user beyond its cap (10)', async () => {
    const answers: Msg[] = [];
    const t = await token(hostile, 'many-tabs');
    for (let i = 0; i < 30; i += 1) {
      const s = await openSocket(server.url);
      open.push(s);
      s.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: t });
      answers.push(await s.next((m) => m.type === 'welcome' || m.type === 'error'));
    }
    return answersOf(answers, 'too_many_connections');
  }],
  ['5 a token expiring on an open connection', async () => {
    const s = await connect(hostile, 'expiring', { ttlSeconds: 2 });
    return { attempts: 1, refused: (await closeCodeOf(s, 6000)) === 4003 ? 1 : 0, unexpected: 0 };
  }],
  ['6 a removed participant rejoining', async () => {
    const [admin, troll] = [await connect(hostile, 'soak-admin', { roomAdmin: true }), await connect(hostile, 'soak-troll')];
    await admin.request('room.join', { roomId: 'moderated', video: false });
    await troll.request('room.join', { roomId: 'moderated', video: false });
    await admin.request('room.removeParticipant', { userId: 'soak-troll' });
    const answers: Msg[] = [];
    for (let i = 0; i < 20; i += 1) answers.push(await troll.request('room.join', { roomId: 'moderated', video: false }));
    await admin.request('room.leave');
    return answersOf(answers, 'forbidden');
  }],
  ['7 a viewer squatting a live room id', async () => {
    const s = await connect(hostile, 'squatter');
    const answers: Msg[] = [];
    for (let i = 0; i < 20; i += 1) answers.push(await s.request('room.join', { roomId: `launch-${i}`, kind: 'live' }));
    return answersOf(answers, 'not_found');
  }],
  ['8 rings to one victim', async () => {
    const [pest] = [await connect(hostile, 'pest'), await connect(hostile, 'victim')];
    const answers: Msg[] = [];
    for (let i = 0; i < 40; i += 1) {
      const dial = await pest.request('call.dial', { callees: ['victim'], video: false });
      answers.push(dial);
      const callId = (dial.data as { call?: { callId: string } } | undefined)?.call?.callId;
      if (callId) await pest.request('call.cancel', { callId });
    }
    return answersOf(answers, 'limit_exceeded');
  }],
  ['9 webhooks to metadata, loopback and a name resolving to loopback', async () => {
    await sleep(1500); // the sessions above queued deliveries: give the dispatcher time to try them
    const env = hostile.environments.development!;
    const res = await fetch(`${server.url}/v1/webhooks/deliveries?limit=200`, { headers: { authorization: `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}` } });
    const tried = ((await res.json()) as { deliveries: Msg[] }).deliveries.filter((d) => (d.attempts as number) > 0);
    return { attempts: tried.length, refused: tried.filter((d) => d.lastError === 'target_not_allowed').length, unexpected: tried.filter((d) => d.status === 'delivered').length };
  }],
  ['10 REST secret guessing', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 60; i += 1) {
      const auth = `Basic ${Buffer.from(`${hostile.environments.development!.appKey}:guess-${i}`).toString('base64')}`;
      statuses.push((await fetch(`${server.url}/v1/calls`, { headers: { authorization: auth } })).status);
    }
    return { attempts: statuses.length, refused: statuses.filter((s) => s === 429).length, unexpected: statuses.filter((s) => s >= 500).length };
  }],
  ['11 malformed media parameters', async () => {
    const s = await connect(hostile, 'garbage');
    await s.request('room.join', { roomId: 'garbage-room', video: false });
    const send = (await s.request('media.createTransport', { direction: 'send' })).data as { id: string };
    const answers: Msg[] = [];
    for (let i = 0; i < 30; i += 1) answers.push(await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/nonsense', payloadType: 300 + i }], encodings: [] }, source: 'mic' }));
    await s.request('room.leave');
    return answersOf(answers, 'media_error');
  }],
  ['12 user ids like __proto__ and constructor', async () => {
    const [a, b] = [await connect(hostile, '__proto__'), await connect(hostile, 'constructor')];
    const dial = await a.request('call.dial', { callees: ['constructor'], video: false });
    const callId = (dial.data as { call?: { callId: string } } | undefined)?.call?.callId;
    const incoming = callId ? await b.next((m) => m.type === 'call.incoming', 5000).catch(() => undefined) : undefined;
    if (callId) await a.request('call.hangup', { callId });
    // Handled like any other id: the call rings. "Refused" here means: treated as a plain key.
    return { attempts: 1, refused: incoming ? 1 : 0, unexpected: dial.code === 'internal' ? 1 : 0 };
  }],
];

const rows: Array<Record<string, string | number>> = [];
await eventLoopMs(); // resets the server's histogram: each row covers its own class
for (const [name, run] of classes) {
  probe = { healthz: [], callSetup: [], failures: 0 };
  const started = Date.now();
  const outcome = await run().catch((error: Error) => ({ attempts: 0, refused: 0, unexpected: 1, error: error.message }));
  await sleep(Math.max(300, 3000 - (Date.now() - started))); // long enough for the probe to set up calls meanwhile
  rows.push({
    class: name,
    attempts: outcome.attempts,
    'refused as expected': outcome.refused,
    unexpected: outcome.unexpected,
    'healthz p99 ms': Math.round(percentile(probe.healthz, 99)),
    'call setup p99 ms': Math.round(percentile(probe.callSetup, 99)),
    'probe failures': probe.failures,
    ...(await eventLoopMs().then((d) => ({ 'event loop p99 ms': d.p99, 'event loop max ms': d.max }))),
  });
}
probing = false;
await probeLoop;
for (const s of open) s.close();
const alive = (await fetch(`${server.url}/healthz`).catch(() => undefined))?.ok ?? false;
await server.stop();
console.table(rows);
console.log(alive ? 'the server stayed up throughout' : 'THE SERVER DID NOT SURVIVE');
saveResult('soak-abuse', { summary: { classes: rows.length, alive }, rows });
process.exit(alive && rows.every((r) => r.unexpected === 0) ? 0 : 1);
