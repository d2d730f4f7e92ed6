import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type SocketLike, SignalingClient } from '../../widget/call/signaling-client';
import { untilTrue } from '../support/until';

type Behaviour = 'welcome' | 'refuse' | 'token_expired' | 'draining';

/** A scripted server end of a WebSocket: answers hello and requests the way a test says. */
class FakeSocket implements SocketLike {
  readyState = 0;
  answering = true;
  hello: Record<string, unknown> | undefined;
  onopen: ((ev: unknown) => void) | null = null;
  onmessage: ((ev: { data: unknown }) => void) | null = null;
  onclose: ((ev: { code: number; reason: string }) => void) | null = null;
  onerror: ((ev: unknown) => void) | null = null;

  constructor(private readonly behaviour: Behaviour, private readonly resumable: boolean) {
    setTimeout(() => {
      if (behaviour === 'refuse') return this.drop(1006);
      this.readyState = 1;
      this.onopen?.({});
    }, 1);
  }

  send(data: string): void {
    const m = JSON.parse(data) as Record<string, unknown>;
    if (m.type === 'hello') {
      this.hello = m;
      if (this.behaviour === 'token_expired') return this.drop(4003, 'token_expired');
      if (this.behaviour === 'draining') {
        // What a server that is shutting down answers a hello it does not hold a session for.
        this.reply({ type: 'error', code: 'server_draining', message: 'this server is shutting down' });
        setTimeout(() => this.drop(4012, 'server_draining'), 2);
        return;
      }
      const resumed = this.resumable && m.resume === 'r1';
      return this.reply({ type: 'welcome', protocol: 1, connectionId: 'c', user: { userId: 'u' }, environment: 'development', grants: {}, resumeToken: 'r1', resumed, reconnectGraceMs: 20_000 });
    }
    if (this.answering) this.reply({ type: 'response', requestId: m.requestId, data: {} });
  }

  close(code = 1000): void {
    this.drop(code);
  }

  drop(code: number, reason = ''): void {
    if (this.readyState === 3) return;
    this.readyState = 3;
    setTimeout(() => this.onclose?.({ code, reason }), 1);
  }

  private reply(message: unknown): void {
    setTimeout(() => this.onmessage?.({ data: JSON.stringify(message) }), 1);
  }
}

function harness(script: Behaviour[], options: { graceMs?: number; resumable?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const log: string[] = [];
  const client = new SignalingClient({
    server: 'http://example.test',
    token: 't',
    reconnectBaseMs: 5,
    reconnectMaxMs: 20,
    pingIntervalMs: 30,
    pingTimeoutMs: 30,
    ...(options.graceMs !== undefined ? { reconnectGraceMs: options.graceMs } : {}),
    socketFactory: () => {
      const s = new FakeSocket(script[Math.min(sockets.length, script.length - 1)] ?? 'welcome', options.resumable ?? true);
      sockets.push(s);
      return s;
    },
  });
  client.onReconnecting = (e) => log.push(`reconnecting:${e.code}`);
  client.onReconnected = (w) => log.push(`reconnected:${w.resumed}`);
  client.onGraceExpired = () => log.push('grace-expired');
  client.onClose = (e) => log.push(`closed:${e?.code}`);
  return { client, sockets, log };
}

const until = (what: string, fn: () => boolean, ms = 3000) => untilTrue(what, fn, ms, 5);

describe('signaling client: reconnection', () => {
  test('a socket that stops answering pings is replaced, and the new one resumes with the token', async () => {
    const { client, sockets, log } = harness(['welcome']);
    await client.connect();
    sockets[0]!.answering = false; // the browser has not noticed; only the missing pong tells
    await until('resumed', () => log.includes('reconnected:true'));
    assert.deepEqual(log, ['reconnecting:connection_closed', 'reconnected:true']);
    assert.equal(sockets[1]!.hello?.resume, 'r1', 'the new hello carries the resume token');
    client.close();
  });

  test('refused attempts back off and retry until one gets through', async () => {
    const { client, sockets, log } = harness(['welcome', 'refuse', 'refuse', 'refuse', 'welcome']);
    await client.connect();
    sockets[0]!.drop(1006);
    await until('resumed', () => log.includes('reconnected:true'));
    assert.equal(sockets.length, 5, 'three refused attempts, then success');
    assert.equal(log.filter((l) => l.startsWith('reconnecting')).length, 1, 'one interruption, reported once');
    client.close();
  });

  test('a refused token ends it (no retry loop); a deliberate close by us never reconnects', async () => {
    const h = harness(['welcome', 'token_expired']);
    await h.client.connect();
    h.sockets[0]!.drop(1006);
    await until('closed', () => h.log.some((l) => l.startsWith('closed')));
    assert.deepEqual(h.log, ['reconnecting:connection_closed', 'closed:token_expired']);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(h.sockets.length, 2, 'no more attempts');
    const mine = harness(['welcome']);
    await mine.client.connect();
    mine.client.close();
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(mine.log, []);
    assert.equal(mine.sockets.length, 1);
  });

  test('a draining server moves it away (4012): it reconnects with the resume token, and a fresh node takes it', async () => {
    const { client, sockets, log } = harness(['welcome', 'draining', 'welcome'], { resumable: false });
    await client.connect();
    sockets[0]!.drop(4012, 'server_draining');
    await until('back', () => log.some((l) => l.startsWith('reconnected')));
    assert.deepEqual(log, ['reconnecting:server_draining', 'reconnected:false']);
    assert.equal(sockets[1]!.hello?.resume, 'r1');
    assert.equal(sockets.length, 3, 'the draining node refused the resume; the next attempt reached another');
    client.close();
  });

  test('a first connection refused with server_draining is retried; other refusals are not', async () => {
    const { client, sockets } = harness(['draining', 'draining', 'welcome']);
    const welcome = await client.connect();
    assert.equal(welcome.type, 'welcome');
    assert.equal(sockets.length, 3);
    client.close();
    const refused = harness(['token_expired']);
    await assert.rejects(refused.client.connect(), (e: { code?: string }) => e.code === 'token_expired');
    assert.equal(refused.sockets.length, 1);
    const gone = harness(['draining'], { graceMs: 40 });
    await assert.rejects(gone.client.connect(), (e: { code?: string }) => e.code === 'server_draining', 'gives up after the grace period');
  });

  test('past the grace period it says so once and keeps trying; a fresh server says resumed: false', async () => {
    const { client, sockets, log } = harness(['welcome', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'refuse', 'welcome'], { graceMs: 25, resumable: false });
    await client.connect();
    sockets[0]!.drop(1006);
    await until('back', () => log.some((l) => l.startsWith('reconnected')));
    assert.deepEqual(log, ['reconnecting:connection_closed', 'grace-expired', 'reconnected:false']);
    client.close();
  });
});
