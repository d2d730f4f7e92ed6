// The widget's MediaClient (widget/call/media-client.ts) without a browser: a real SignalingClient over a
// scripted socket, and a stubbed mediasoup-client device whose transports record what they are asked. What is
// checked is what the server is told and what the widget shows: transports, consumers attached to their user,
// pauses that race a consume, and tile views sent only when their layer bucket changes.
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, test } from 'node:test';
import { MediaClient } from '../../widget/call/media-client';
import { type SocketLike, SignalingClient } from '../../widget/call/signaling-client';
import { untilTrue } from '../support/until';

/** Just enough MediaStream for node (the client groups a user's tracks into one stream). */
class FakeMediaStream {
  private readonly tracks: unknown[];
  constructor(tracks: unknown[] = []) {
    this.tracks = [...tracks];
  }
  addTrack(t: unknown): void {
    this.tracks.push(t);
  }
  removeTrack(t: unknown): void {
    this.tracks.splice(this.tracks.indexOf(t), 1);
  }
  getTracks(): unknown[] {
    return this.tracks;
  }
}
(globalThis as { MediaStream?: unknown }).MediaStream ??= FakeMediaStream;

/** The server end: answers every request the way the real one shapes it, and logs them. */
class ScriptedServer implements SocketLike {
  readyState = 0;
  static log: Record<string, unknown>[] = [];
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;
  constructor() {
    setTimeout(() => {
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }
  send(data: string): void {
    const m = JSON.parse(data) as Record<string, unknown>;
    if (m.type === 'hello') return this.reply({ type: 'welcome', protocol: 1, connectionId: 'c', user: { userId: 'me' }, environment: 'development', grants: {}, resumeToken: 'r', resumed: false, reconnectGraceMs: 20_000 });
    if (m.type !== 'ping') ScriptedServer.log.push(m);
    const data_: Record<string, unknown> =
      m.type === 'media.createTransport' ? { id: `t-${m.direction as string}`, iceParameters: {}, iceCandidates: [], dtlsParameters: {} }
      : m.type === 'media.consume' ? { id: `c-${m.producerId as string}`, producerId: m.producerId, kind: 'video', rtpParameters: {}, userId: 'ann', source: 'camera', producerPaused: false }
      : {};
    this.reply({ type: 'response', requestId: m.requestId, data: data_ });
  }
  close(): void {}
  private reply(message: unknown): void {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 1);
  }
}

/** A mediasoup-client transport as far as the client uses it. */
class StubTransport extends EventEmitter {
  closed = false;
  connectionState = 'new';
  readonly observer = new EventEmitter();
  constructor(readonly id: string) {
    super();
  }
  async consume(o: { id: string; producerId: string; kind: string }) {
    return { id: o.id, producerId: o.producerId, kind: o.kind, track: { id: `track-${o.id}` }, close: () => undefined };
  }
}

function stubDevice() {
  const transports: StubTransport[] = [];
  const make = (o: { id: string }) => {
    const t = new StubTransport(o.id);
    transports.push(t);
    return t;
  };
  return { device: { handlerName: 'Chrome111', rtpCapabilities: { codecs: [] }, createSendTransport: make, createRecvTransport: make } as never, transports };
}

async function connected(): Promise<SignalingClient> {
  ScriptedServer.log = [];
  const signaling = new SignalingClient({ server: 'http://example.test', token: 't', socketFactory: () => new ScriptedServer() });
  await signaling.connect();
  return signaling;
}
const sent = (type: string) => ScriptedServer.log.filter((m) => m.type === type);

describe('media client', () => {
  test('opening tells the server our capabilities, then makes a send and a receive transport (receive only for a watcher)', async () => {
    const signaling = await connected();
    const { device, transports } = stubDevice();
    await MediaClient.open(signaling, device, { send: true });
    assert.deepEqual(ScriptedServer.log.map((m) => `${m.type as string}${m.direction ? `:${m.direction as string}` : ''}`).sort(), ['media.createTransport:recv', 'media.createTransport:send', 'media.setRtpCapabilities']);
    assert.deepEqual(transports.map((t) => t.id).sort(), ['t-recv', 't-send']);
    // ICE+DTLS start: the transport's parameters go to the server.
    transports[0]!.emit('connect', { dtlsParameters: { role: 'client' } }, () => undefined, () => undefined);
    await untilTrue('connectTransport sent', () => sent('media.connectTransport').length === 1, 1000, 5);
    assert.equal(sent('media.connectTransport')[0]!.transportId, transports[0]!.id);

    const watcher = stubDevice();
    ScriptedServer.log = [];
    await MediaClient.open(signaling, watcher.device, { send: false });
    assert.deepEqual(watcher.transports.map((t) => t.id), ['t-recv']);
    signaling.close();
  });

  test("a consumed camera attaches to its user, resumed after it is attached; a pause that raced the consume holds", async () => {
    const signaling = await connected();
    const client = await MediaClient.open(signaling, stubDevice().device, { send: false });
    let changes = 0;
    client.onChange = () => (changes += 1);
    client.setRemotePaused('p-cam', true); // arrives before the consume answers
    await client.consume({ producerId: 'p-cam', userId: 'ann', kind: 'video', source: 'camera' } as never);
    const [ann] = client.remotes();
    assert.equal(ann?.userId, 'ann');
    assert.equal(ann?.hasVideo, true);
    assert.equal(ann?.cameraOff, true, 'the earlier pause applies');
    assert.ok(changes > 0, 'rendered');
    assert.deepEqual(sent('media.resumeConsumer').map((m) => m.consumerId), ['c-p-cam']);
    client.removeUser('ann');
    assert.deepEqual(client.remotes(), []);
    signaling.close();
  });

  test('tile views reach the server only when a consumer changes layer bucket or visibility', async () => {
    const signaling = await connected();
    const client = await MediaClient.open(signaling, stubDevice().device, { send: false });
    await client.consume({ producerId: 'p-cam', userId: 'ann', kind: 'video', source: 'camera' } as never);
    const view = (width: number) => [{ userId: 'ann', source: 'camera' as const, width, height: (width * 9) / 16 }];
    client.setViews(view(1280));
    client.setViews(view(1100)); // same bucket (main): nothing new to say
    client.setViews(view(300)); // low
    client.setViews([]); // hidden
    await untilTrue('views sent', () => sent('media.setConsumerView').length === 3, 1000, 5);
    assert.deepEqual(sent('media.setConsumerView').map((m) => [m.visible, m.width]), [[true, 1280], [true, 300], [false, 0]]);
    signaling.close();
  });
});
