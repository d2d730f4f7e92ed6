// What one socket and one user may make the signaling server hold: queued bytes (a client that stops reading),
// liveness (only answers to the server's own pings count), connections per user and per app environment,
// and one message budget per user across all their connections.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../protocol';
import { DEFAULT_LIMITS } from '../../server/domain/apps';
import { newApp } from '../../server/store/apps-file';
import { startServer, type TestServer } from '../support/server';
import { connectAs, openSocket, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;

describe('a client that stops reading', () => {
  let server: TestServer;
  before(async () => {
    // A generous message budget so the flood is limited by the queue bound alone.
    server = await startServer({ signalingLimits: { maxQueuedBytes: 256 * 1024, messagesPerSecond: 1_000_000, messageBurst: 1_000_000 } });
  });
  after(async () => server?.close());

  test('is closed with slow_consumer (4013) once its queue passes the bound; others are unaffected and it can resume', async () => {
    const flooder = await connectAs(server.url, await server.token('sc-flooder'));
    const observer = await connectAs(server.url, await server.token('sc-observer'));
    await flooder.request('room.join', { roomId: 'sc-room', video: false });
    await observer.request('room.join', { roomId: 'sc-room', video: false });
    const raw = (flooder.ws as unknown as { _socket: Socket })._socket;
    raw.pause(); // reads nothing more: every answer queues in the kernel, then in the server
    const dropped = observer.next((m) => m.type === 'room.participantConnection' && m.userId === 'sc-flooder' && m.connected === false, 60_000);
    let seen = false;
    void dropped.then(() => (seen = true), () => undefined);
    const requestId = 'x'.repeat(64); // the longest answer a ping gets
    let sent = 0;
    for (let batch = 0; batch < 400 && !seen; batch += 1) {
      for (let i = 0; i < 1000; i += 1) flooder.ws.send(`{"type":"ping","requestId":"${requestId}"}`);
      sent += 1000;
      await sleep(5);
    }
    await dropped; // the server let go of the socket: its place in the room is kept for a resume
    raw.resume();
    const closed = await flooder.closed;
    assert.equal(closed.code, 4013, `after ${sent} pings`);
    assert.equal(closed.reason, 'slow_consumer');
    // The observer's connection is untouched, and the flooder, reading again, resumes its session.
    assert.equal((await observer.request('ping')).type, 'response');
    const back = await connectAs(server.url, await server.token('sc-flooder'), { resume: String(flooder.welcome.resumeToken) });
    assert.equal(back.welcome.resumed, true);
    back.close();
    observer.close();
  });
});

describe('heartbeat', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ signalingLimits: { heartbeatIntervalMs: 300 } });
  });
  after(async () => server?.close());

  async function helloWithoutAutoPong(token: string): Promise<{ ws: WebSocket; closed: Promise<number> }> {
    const ws = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/signal`, { autoPong: false });
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
    const welcome = new Promise((resolve) => ws.once('message', resolve));
    ws.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token }));
    await welcome;
    return { ws, closed };
  }

  test('unsolicited pongs do not keep a silent client alive: it is closed with heartbeat_timeout (4010)', async () => {
    const { ws, closed } = await helloWithoutAutoPong(await server.token('hb-faker'));
    const faker = setInterval(() => {
      ws.pong(Buffer.from('12345678'));
      ws.pong();
    }, 50);
    try {
      assert.equal(await Promise.race([closed, sleep(10_000, -1)]), 4010);
    } finally {
      clearInterval(faker);
    }
  });

  test('a client that echoes the server\'s pings stays connected over many intervals', async () => {
    const { ws, closed } = await helloWithoutAutoPong(await server.token('hb-honest'));
    ws.on('ping', (data) => ws.pong(data));
    assert.equal(await Promise.race([closed, sleep(2000, 'open')]), 'open');
    ws.close();
  });
});

describe('connections per user and per app environment', () => {
  let server: TestServer;
  const capped = newApp('Capped', { demo: true });
  capped.environments.development!.limits = { ...DEFAULT_LIMITS, maxConnections: 3 };
  const neighbour = newApp('Neighbour', { demo: true });
  const open: TestSocket[] = [];
  before(async () => {
    server = await startServer({ apps: [capped, neighbour], signalingLimits: { connectionsPerUser: 2, messagesPerSecond: 5, messageBurst: 10 } });
  });
  after(async () => {
    for (const s of open) s.close();
    await server?.close();
  });

  const tokenOf = (app: typeof capped, userId: string) => server.token(userId, { app });

  async function refusal(token: string): Promise<{ error: Msg; close: { code: number } }> {
    const s = await openSocket(server.url);
    s.send({ type: 'hello', protocol: PROTOCOL_VERSION, token });
    const error = await s.next((m) => m.type === 'error');
    return { error, close: await s.closed };
  }

  test('a user\'s third connection is refused with too_many_connections (4014); a closed one frees its place', async () => {
    const first = await connectAs(server.url, await tokenOf(neighbour, 'many-tabs'));
    open.push(first, await connectAs(server.url, await tokenOf(neighbour, 'many-tabs')));
    const refused = await refusal(await tokenOf(neighbour, 'many-tabs'));
    assert.equal(refused.error.code, 'too_many_connections');
    assert.match(String(refused.error.message), /2 connections per user/);
    assert.equal(refused.close.code, 4014);
    open.push(await connectAs(server.url, await tokenOf(neighbour, 'someone-else')));
    first.close();
    await first.closed;
    await sleep(50); // the server sees the close
    open.push(await connectAs(server.url, await tokenOf(neighbour, 'many-tabs')));
  });

  test('a resume that replaces a still-open socket is not refused at the cap', async () => {
    const a = await connectAs(server.url, await tokenOf(neighbour, 'resumer'));
    open.push(await connectAs(server.url, await tokenOf(neighbour, 'resumer')));
    const again = await connectAs(server.url, await tokenOf(neighbour, 'resumer'), { resume: String(a.welcome.resumeToken) });
    open.push(again);
    assert.equal(again.welcome.resumed, true);
    assert.equal((await a.closed).code, 4011);
  });

  test('an app environment at its maxConnections refuses more; another app is unaffected', async () => {
    for (const user of ['c1', 'c2', 'c3']) open.push(await connectAs(server.url, await tokenOf(capped, user)));
    const refused = await refusal(await tokenOf(capped, 'c4'));
    assert.equal(refused.error.code, 'too_many_connections');
    assert.match(String(refused.error.message), /3 connections/);
    open.push(await connectAs(server.url, await tokenOf(neighbour, 'unaffected')));
  });

  test('the message rate limit is per user: two connections share one budget, another user has their own', async () => {
    const [a, b] = [await connectAs(server.url, await tokenOf(neighbour, 'chatty')), await connectAs(server.url, await tokenOf(neighbour, 'chatty'))];
    const quiet = await connectAs(server.url, await tokenOf(neighbour, 'quiet'));
    open.push(a, b, quiet);
    const answers = await Promise.all([...Array.from({ length: 10 }, () => a.request('ping')), ...Array.from({ length: 10 }, () => b.request('ping'))]);
    const limited = answers.filter((m) => m.code === 'rate_limited');
    // A burst of 10 for the user (plus what refilled meanwhile at 5/s): one connection alone would allow all 10.
    assert.ok(limited.length >= 8, `${limited.length} of 20 refused`);
    assert.match(String(limited[0]!.message), /from this user/);
    assert.equal((await quiet.request('ping')).type, 'response');
  });
});

describe('sockets waiting for their hello', () => {
  let server: TestServer;
  before(async () => {
    server = await startServer({ signalingLimits: { unauthenticatedPerAddress: 3 } });
  });
  after(async () => server?.close());

  test('at most 3 per address wait at once; a hello frees the place', async () => {
    const waiting = [await openSocket(server.url), await openSocket(server.url), await openSocket(server.url)];
    const fourth = await openSocket(server.url);
    assert.equal((await fourth.next((m) => m.type === 'error')).code, 'too_many_connections');
    assert.equal((await fourth.closed).code, 4014);
    waiting[0]!.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: await server.token('pending-ok') });
    assert.equal((await waiting[0]!.next((m) => m.type === 'welcome')).type, 'welcome');
    const fifth = await openSocket(server.url);
    fifth.send({ type: 'hello', protocol: PROTOCOL_VERSION, token: await server.token('pending-next') });
    assert.equal((await fifth.next((m) => m.type === 'welcome' || m.type === 'error')).type, 'welcome');
    for (const s of [...waiting, fifth]) s.close();
  });
});
