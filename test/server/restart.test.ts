import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { WebhookReceiver } from '../support/webhook-receiver';
import { connectAs, type TestSocket } from '../support/ws-client';
import { untilTrue } from '../support/until';

type Msg = Record<string, unknown>;
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('server restart mid-call (kill -9, then start again on the same data)', () => {
  const processes: ServerProcess[] = [];
  const sockets: TestSocket[] = [];
  let receiver: WebhookReceiver | undefined;
  after(async () => {
    for (const s of sockets) s.close();
    for (const p of processes) await p.stop('SIGKILL');
    await receiver?.down();
  });

  test('records survive; calls and sessions left open are closed with server_restart, and their webhooks are sent', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-restart-'));
    const app = newApp('Restart', { demo: true, environments: ['development'] });
    const env = app.environments.development!;
    receiver = await WebhookReceiver.create(env.webhooks.secret);
    await receiver.up();
    env.webhooks.urls = [receiver.url];
    writeAppsFile(join(dataDir, 'apps.json'), [app]);
    const auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;

    const first = await startServerProcess(dataDir, { WEBHOOK_ALLOW_PRIVATE: 'on' });
    processes.push(first);
    const token = async (userId: string) => {
      const res = await fetch(`${first.url}/v1/token`, { method: 'POST', headers: { authorization: auth, 'content-type': 'application/json' }, body: JSON.stringify({ userId }) });
      return ((await res.json()) as { token: string }).token;
    };
    const [a, b, c, d] = await Promise.all(['rs-a', 'rs-b', 'rs-c', 'rs-d'].map(async (u) => connectAs(first.url, await token(u))));
    sockets.push(a!, b!, c!, d!);
    const connected = callIdOf(await a!.request('call.dial', { callees: ['rs-b'], video: true }));
    await b!.next((m) => m.type === 'call.incoming');
    await b!.request('call.accept', { callId: connected, video: true });
    const ringing = callIdOf(await c!.request('call.dial', { callees: ['rs-d'], video: false }));
    await d!.next((m) => m.type === 'call.incoming');
    // Both calls are on the record and every webhook so far is delivered (the writer and the dispatcher are
    // asynchronous) before the process dies without a word: a delivery cut off mid-attempt would be held back
    // (exactly-once claims) and delay the ones after it past this test's patience.
    await untilTrue('both calls recorded and their webhooks delivered', async () => {
      const get = async (path: string) => (await (await fetch(`${first.url}${path}`, { headers: { authorization: auth } })).json()) as Record<string, Msg[] | undefined>;
      const listed = (await get('/v1/calls')).calls ?? [];
      const pending = (await get('/v1/webhooks/deliveries?limit=500&status=pending')).deliveries ?? [];
      return [connected, ringing].every((id) => listed.some((call) => call.callId === id)) && pending.length === 0 && receiver!.received.length > 0;
    }, 10_000);

    assert.equal(await first.stop('SIGKILL'), null, 'killed, no chance to clean up');
    const second = await startServerProcess(dataDir, { WEBHOOK_ALLOW_PRIVATE: 'on' });
    processes.push(second);
    assert.match(second.output(), /closed 2 call\(s\) and 2 session\(s\) left open by the previous run/);

    const res = await fetch(`${second.url}/v1/calls`, { headers: { authorization: auth } });
    const calls = ((await res.json()) as { calls: Msg[] }).calls;
    const byId = new Map(calls.map((call) => [call.callId, call]));
    const answered = byId.get(connected)!;
    assert.equal(answered.endReason, 'server_restart');
    assert.ok(typeof answered.answeredAt === 'string' && (answered.durationMs as number) > 0);
    assert.deepEqual(answered.callees, [{ userId: 'rs-b', outcome: 'left' }]);
    assert.deepEqual((answered.participants as Msg[]).map((p) => [p.userId, typeof p.leftAt]), [['rs-a', 'string'], ['rs-b', 'string']]);
    const unanswered = byId.get(ringing)!;
    assert.equal(unanswered.endReason, 'server_restart');
    assert.deepEqual(unanswered.callees, [{ userId: 'rs-d', outcome: 'cancelled' }]);
    const session = await fetch(`${second.url}/v1/sessions/${answered.sessionId as string}`, { headers: { authorization: auth } });
    assert.equal(((await session.json()) as Msg).endReason, 'server_restart');

    const endedHooks = () => receiver!.received.filter((r) => r.event.type === 'call.ended');
    await untilTrue('both call.ended webhooks', () => endedHooks().length >= 2, 10_000);
    assert.deepEqual(new Set(endedHooks().map((r) => r.event.data.callId)), new Set([connected, ringing]));
    assert.ok(endedHooks().every((r) => r.event.data.reason === 'server_restart' && r.verified));
    const answeredHook = receiver.received.find((r) => r.event.type === 'call.answered');
    assert.equal(answeredHook?.event.data.callId, connected, 'events committed before the kill were sent by the first run');
  });
});
