// What one participant, one app and one node may make the media server hold — transports, producers,
// consumers — with typed refusals, and client mistakes in media parameters answered as `media_error`.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../server/domain/apps';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { startServerProcess } from '../support/server-process';
import { startServer, type TestServer } from '../support/server';
import { connectAs, type TestSocket } from '../support/ws-client';
import { until } from '../support/until';

type Msg = Record<string, unknown>;
const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: `${'AB:'.repeat(31)}AB` }] };
let ssrc = 1000;
const audioRtp = (mid: string) => ({ mid, codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {} }], encodings: [{ ssrc: ++ssrc }], headerExtensions: [], rtcp: { cname: 'c' } });
const videoRtp = (mid: string) => ({ mid, codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {} }], encodings: [{ ssrc: ++ssrc }], headerExtensions: [], rtcp: { cname: 'c' } });
const dataOf = <T>(m: Msg) => m.data as T;

async function inRoom(url: string, token: string, roomId: string) {
  const s = await connectAs(url, token);
  const joined = dataOf<{ routerRtpCapabilities: unknown }>(await s.request('room.join', { roomId, video: true }));
  return { s, caps: joined.routerRtpCapabilities };
}

describe('media objects per participant', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  before(async () => {
    server = await startServer();
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('one send and one recv transport; a third is refused with limit_exceeded, also when asked for at once', async () => {
    const { s } = await inRoom(server.url, await server.token('mb-t'), 'mb-transports');
    sockets.push(s);
    const first = await Promise.all([s.request('media.createTransport', { direction: 'send' }), s.request('media.createTransport', { direction: 'send' })]);
    assert.deepEqual(first.map((m) => m.type).sort(), ['error', 'response'], 'two concurrent send transports: one wins');
    assert.equal(first.find((m) => m.type === 'error')?.code, 'limit_exceeded');
    assert.equal((await s.request('media.createTransport', { direction: 'recv' })).type, 'response');
    const third = await s.request('media.createTransport', { direction: 'recv' });
    assert.equal(third.code, 'limit_exceeded');
    assert.match(String(third.message), /one per direction/);
  });

  test('one producer per source, with the kind its source implies: no decoys, no video labelled as a microphone', async () => {
    const { s } = await inRoom(server.url, await server.token('mb-p'), 'mb-producers');
    sockets.push(s);
    const send = dataOf<{ id: string }>(await s.request('media.createTransport', { direction: 'send' }));
    await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const disguised = await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('0'), source: 'mic' });
    assert.equal(disguised.code, 'media_error');
    assert.match(String(disguised.message), /a mic producer sends audio, not video/);
    assert.equal((await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp('1'), source: 'camera' })).code, 'media_error');
    assert.equal((await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp('2'), source: 'mic' })).type, 'response');
    const decoy = await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp('3'), source: 'mic' });
    assert.equal(decoy.code, 'limit_exceeded');
    assert.equal((await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('4'), source: 'camera' })).type, 'response');
    const screen = dataOf<{ producerId: string }>(await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('5'), source: 'screen' }));
    assert.equal((await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('6'), source: 'screen' })).code, 'limit_exceeded');
    // Closing a source frees its place (screen share stopped and started again).
    await s.request('media.closeProducer', { producerId: screen.producerId });
    assert.equal((await s.request('media.produce', { transportId: send.id, kind: 'video', rtpParameters: videoRtp('7'), source: 'screen' })).type, 'response');
  });

  test('one consumer per producer', async () => {
    const pub = await inRoom(server.url, await server.token('mb-pub'), 'mb-consumers');
    const sub = await inRoom(server.url, await server.token('mb-sub'), 'mb-consumers');
    sockets.push(pub.s, sub.s);
    const send = dataOf<{ id: string }>(await pub.s.request('media.createTransport', { direction: 'send' }));
    await pub.s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS });
    const { producerId } = dataOf<{ producerId: string }>(await pub.s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: audioRtp('0'), source: 'mic' }));
    await sub.s.request('media.createTransport', { direction: 'recv' });
    await sub.s.request('media.setRtpCapabilities', { rtpCapabilities: sub.caps });
    const twice = await Promise.all([sub.s.request('media.consume', { producerId }), sub.s.request('media.consume', { producerId })]);
    assert.deepEqual(twice.map((m) => m.type).sort(), ['error', 'response']);
    assert.equal(twice.find((m) => m.type === 'error')?.code, 'limit_exceeded');
  });
});

describe('transport caps per app and per node', () => {
  let server: TestServer;
  const sockets: TestSocket[] = [];
  const greedy = newApp('Greedy');
  greedy.environments.development!.limits = { ...DEFAULT_LIMITS, maxTransports: 4 };
  const neighbour = newApp('Neighbour');
  before(async () => {
    server = await startServer({ apps: [greedy, neighbour], maxTransports: 8 });
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
  });

  test('one app exhausting its cap gets limit_exceeded; another app still sets up media; the node cap says server_busy', async () => {
    const transportsFor = async (app: typeof greedy, userId: string) => {
      const { s } = await inRoom(server.url, await server.token(userId, { app }), `room-${userId}`);
      sockets.push(s);
      return [await s.request('media.createTransport', { direction: 'send' }), await s.request('media.createTransport', { direction: 'recv' })];
    };
    const answers = [...(await transportsFor(greedy, 'g1')), ...(await transportsFor(greedy, 'g2')), ...(await transportsFor(greedy, 'g3'))];
    assert.deepEqual(answers.map((m) => m.type), ['response', 'response', 'response', 'response', 'error', 'error']);
    assert.equal(answers[4]!.code, 'limit_exceeded');
    assert.match(String(answers[4]!.message), /limits\.maxTransports/);
    // The neighbour is untouched by the greedy app's cap.
    assert.deepEqual((await transportsFor(neighbour, 'n1')).map((m) => m.type), ['response', 'response']);
    // Greedy leaving frees its places.
    sockets[0]!.close();
    const greedyKey = server.app.services.apps.tenant(greedy.environments.development!.appKey)!.key;
    await until("g1's room to close with its transports", () => (server.app.services.rooms.get(greedyKey, 'room-g1') ? undefined : true), 5000);
    assert.deepEqual((await transportsFor(greedy, 'g4')).map((m) => m.type), ['response', 'response']);
    // 4 greedy + 2 neighbour + 2 more = the node's 8.
    assert.deepEqual((await transportsFor(neighbour, 'n2')).map((m) => m.type), ['response', 'response']);
    const full = await transportsFor(neighbour, 'n3');
    assert.equal(full[0]!.code, 'server_busy');
    assert.match(String(full[0]!.message), /MAX_TRANSPORTS/);
  });
});

describe('client mistakes in media parameters', () => {
  const dir = mkdtempSync(join(tmpdir(), 'cw-media-errors-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('are media_error with mediasoup\u2019s reason, logged at warn without a stack, never internal', async () => {
    const app = newApp('Errors', { environments: ['development'] });
    writeAppsFile(join(dir, 'apps.json'), [app]);
    const server = await startServerProcess(dir);
    try {
      const env = app.environments.development!;
      const auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
      const res = await fetch(`${server.url}/v1/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'clumsy' }) });
      const { s } = await inRoom(server.url, ((await res.json()) as { token: string }).token, 'clumsy-room');
      const send = dataOf<{ id: string }>(await s.request('media.createTransport', { direction: 'send' }));
      const mistakes = [
        await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: { fingerprints: 'x' } }),
        (await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS }), await s.request('media.connectTransport', { transportId: send.id, dtlsParameters: DTLS })),
        await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: {}, source: 'mic' }),
        await s.request('media.produce', { transportId: send.id, kind: 'audio', rtpParameters: { ...audioRtp('1'), codecs: [{ mimeType: 'audio/nonsense', payloadType: 100, clockRate: 8000 }] }, source: 'mic' }),
      ];
      for (const m of mistakes) {
        assert.equal(m.code, 'media_error', JSON.stringify(m));
        assert.doesNotMatch(String(m.message), /\[method:/, 'mediasoup\u2019s internals stay out of the message');
      }
      assert.match(String(mistakes[1]!.message), /connect\(\) already called/);
      assert.match(String(mistakes[3]!.message), /unsupported codec/);
      s.close();
      assert.equal(await server.stop('SIGTERM'), 0);
      const lines = server.output().split('\n').filter((l) => l.startsWith('{'));
      const parsed = lines.map((l) => JSON.parse(l) as { level: number; msg: string; err?: { stack?: string } });
      assert.deepEqual(parsed.filter((l) => l.level >= 50).map((l) => l.msg), [], 'no ERROR lines');
      assert.ok(parsed.every((l) => !l.err?.stack), 'no stacks');
      assert.ok(parsed.some((l) => l.level === 40 && /media_error/.test(l.msg)), 'the mistakes are logged at warn');
    } finally {
      await server.stop('SIGKILL');
    }
  });
});
