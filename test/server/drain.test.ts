// SIGTERM drains: readiness goes 503, nothing new starts (typed server_draining), running calls may finish within
// DRAIN_SECONDS; what still runs at the deadline is recorded as ended (server_restart) and its webhooks are sent
// before the process exits 0.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { WebhookReceiver } from '../support/webhook-receiver';
import { connectAs, type TestSocket } from '../support/ws-client';

type Msg = Record<string, unknown>;
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('graceful drain on SIGTERM', () => {
  const sockets: TestSocket[] = [];
  const dirs: string[] = [];
  const receivers: WebhookReceiver[] = [];
  after(async () => {
    for (const s of sockets) s.close();
    for (const r of receivers) await r.down();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  async function setUp(drainSeconds: number) {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-drain-'));
    dirs.push(dataDir);
    const app = newApp('Drain', { environments: ['development'] });
    const env = app.environments.development!;
    const receiver = await WebhookReceiver.create(env.webhooks.secret);
    receivers.push(receiver);
    await receiver.up();
    env.webhooks.urls = [receiver.url];
    writeAppsFile(join(dataDir, 'apps.json'), [app]);
    const auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
    const server: ServerProcess = await startServerProcess(dataDir, { DRAIN_SECONDS: String(drainSeconds), WEBHOOK_ALLOW_PRIVATE: 'on' });
    const connect = async (userId: string) => {
      const res = await fetch(`${server.url}/v1/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
      const socket = await connectAs(server.url, ((await res.json()) as { token: string }).token);
      sockets.push(socket);
      return socket;
    };
    return { server, connect, auth, dataDir, receiver };
  }

  async function inCall(connect: (u: string) => Promise<TestSocket>, a: string, b: string) {
    const [sa, sb] = [await connect(a), await connect(b)];
    const callId = callIdOf(await sa.request('call.dial', { callees: [b], video: false }));
    await sb.next((m) => m.type === 'call.incoming');
    await sb.request('call.accept', { callId, video: false });
    return { sa, sb, callId };
  }

  test('idle clients are moved away (4012) at once; running calls may finish, their clients moved as they end; then a clean exit', async () => {
    const { server, connect, auth } = await setUp(20);
    const { sa, sb, callId } = await inCall(connect, 'dr-a', 'dr-b');
    const idle = await connect('dr-c');
    const exited = server.stop('SIGTERM');
    // Nothing holds dr-c here: told why, then closed with the drain's close code so it reconnects elsewhere.
    assert.equal((await idle.next((m) => m.type === 'error')).code, 'server_draining');
    assert.deepEqual(await idle.closed, { code: 4012, reason: 'server_draining' });
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 503);
    assert.deepEqual(((await ready.json()) as { reasons: string[] }).reasons, ['shutting down']);
    // A new connection is refused the same way (its next attempt goes to another node or the restarted one).
    const token = ((await (await fetch(`${server.url}/v1/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId: 'dr-late' }) })).json()) as { token: string }).token;
    await assert.rejects(connectAs(server.url, token), /server_draining/);
    // Those in the call stay, and nothing new starts for them either.
    assert.equal((await sb.request('room.join', { roomId: 'late', video: false })).code, 'server_draining');
    assert.equal((await sb.request('call.dial', { callees: ['dr-c'], video: false })).code, 'server_draining');
    const started = Date.now();
    await sa.request('call.hangup', { callId });
    assert.equal((await sb.next((m) => m.type === 'call.ended')).reason, 'hangup');
    assert.equal((await sb.closed).code, 4012, 'moved away once its call ended');
    assert.equal(await exited, 0, server.output());
    assert.match(server.output(), /moved 1 idle client\(s\) to reconnect elsewhere/);
    assert.ok(Date.now() - started < 10_000, 'exits once the last call ended, well before the deadline');
  });

  test('what still runs at the deadline is ended (server_restart), its records written and webhooks sent', async () => {
    const { server, connect, auth, dataDir, receiver } = await setUp(1);
    const { sa, callId } = await inCall(connect, 'dl-a', 'dl-b');
    assert.equal(await server.stop('SIGTERM'), 0, server.output());
    assert.equal((await sa.next((m) => m.type === 'call.ended')).reason, 'server_restart');
    assert.equal((await sa.closed).code, 4012, 'told the call ended, then moved away');
    assert.match(server.output(), /drain deadline passed: ended 1 call\(s\) with reason server_restart/);
    const hooks = receiver.received.filter((r) => r.event.type === 'call.ended' && r.event.data.callId === callId);
    assert.equal(hooks.length, 1, 'the call.ended webhook went out before the exit');
    assert.equal(hooks[0]!.event.data.reason, 'server_restart');
    // The next start finds nothing left open.
    const next = await startServerProcess(dataDir, { WEBHOOK_ALLOW_PRIVATE: 'on' });
    assert.doesNotMatch(next.output(), /left open by the previous run/);
    const call = (await (await fetch(`${next.url}/v1/calls/${callId}`, { headers: { authorization: auth } })).json()) as Msg;
    assert.equal(call.endReason, 'server_restart');
    await next.stop();
  });
});
