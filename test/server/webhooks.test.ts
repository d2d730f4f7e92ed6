import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { connectAs, type TestSocket } from '../support/ws-client';
import { startServer, type TestServer } from '../support/server';
import { until } from '../support/until';
import { WebhookReceiver } from '../support/webhook-receiver';

type Msg = Record<string, unknown>;
const callIdOf = (r: Msg) => (r.data as { call: { callId: string } }).call.callId;

describe('webhooks: signed, persisted, retried, ordered per call', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  let auth: string;
  const sockets: TestSocket[] = [];
  const deliveries = async (query = '') => {
    const res = await fetch(`${server.url}/v1/webhooks/deliveries?limit=500${query}`, { headers: { authorization: auth } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { deliveries: Msg[] }).deliveries;
  };
  before(async () => {
    const app = newApp('Hooks', { demo: true, origins: ['*'], environments: ['development'] });
    const env = app.environments.development!;
    receiver = await WebhookReceiver.create(env.webhooks.secret);
    env.webhooks.urls = [receiver.url];
    server = await startServer({ apps: [app], webhookRetryScheduleMs: [150, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300, 300], webhookPollMs: 50, webhooks: { allowPrivate: true } });
    auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
  });
  after(async () => {
    for (const s of sockets) s.close();
    await server?.close();
    await receiver?.down();
  });

  test('receiver down then up: every event arrives once per webhook-id, verified by an independent implementation, in order per call', async () => {
    const users = await Promise.all(['wh-a', 'wh-b', 'wh-c', 'wh-d'].map(async (u) => connectAs(server.url, await server.token(u))));
    sockets.push(...users);
    const [a, b, c, d] = users as unknown as [TestSocket, TestSocket, TestSocket, TestSocket];
    // Two calls at once, so per-call order is tested while the other call's events interleave.
    const call1 = callIdOf(await a.request('call.dial', { callees: ['wh-b'], video: true }));
    const call2 = callIdOf(await c.request('call.dial', { callees: ['wh-d'], video: false }));
    await b.next((m) => m.type === 'call.incoming');
    await d.next((m) => m.type === 'call.incoming');
    await b.request('call.accept', { callId: call1, video: true });
    await d.request('call.accept', { callId: call2, video: false });
    await a.request('call.hangup', { callId: call1 });
    await d.request('call.hangup', { callId: call2 });
    await c.next((m) => m.type === 'call.ended');

    // While the receiver is down, deliveries are pending with the error and the next retry time.
    const failing = await until('failed attempts', async () => {
      const pending = await deliveries('&status=pending');
      return pending.length === 18 && pending.some((p) => (p.attempts as number) >= 2) ? pending : undefined;
    });
    const tried = failing.filter((p) => (p.attempts as number) > 0);
    // The tenant sees the class of failure only: no errno that would tell a closed port from a filtered one.
    assert.ok(tried.every((p) => p.lastError === 'connection_failed' && typeof p.nextAttemptAt === 'string'), JSON.stringify(tried.map((p) => p.lastError)));
    // Only the first event of each call is retried; the later ones wait behind it, which keeps them in order.
    assert.deepEqual(new Set(tried.map((p) => p.eventType)), new Set(['session.started']));
    assert.equal(receiver.received.length, 0);

    await receiver.up();
    await until('all delivered', async () => ((await deliveries('&status=pending')).length === 0 ? true : undefined));
    await new Promise((r) => setTimeout(r, 400)); // would catch a duplicate resend

    const all = await deliveries();
    assert.equal(all.length, 18, '9 events per call');
    assert.ok(all.every((x) => x.status === 'delivered' && typeof x.deliveredAt === 'string'));
    const ids = receiver.received.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length, 'no webhook-id delivered twice');
    assert.deepEqual(new Set(ids), new Set(all.map((x) => x.messageId)), 'every event delivered');
    assert.ok(receiver.received.every((r) => r.verified), 'every signature verifies with the standardwebhooks package');
    assert.ok(receiver.received.every((r) => /^msg_/.test(r.id) && /^\d+$/.test(String(r.headers['webhook-timestamp']))));

    const expected = ['session.started', 'participant.joined', 'call.ringing', 'participant.joined', 'call.answered', 'participant.left', 'call.ended', 'participant.left', 'session.ended'];
    for (const callId of [call1, call2]) {
      const events = receiver.received.map((r) => r.event).filter((e) => (e.data.callId ?? e.data.roomId) === callId);
      assert.deepEqual(events.map((e) => e.type), expected, `order of call ${callId}`);
      const ended = events.find((e) => e.type === 'call.ended')!;
      assert.equal(ended.data.reason, 'hangup');
      assert.equal(ended.data.environment, 'development');
      assert.ok(Date.parse(ended.timestamp) > 0);
    }
  });

  test('a tampered body or a wrong secret does not verify (the check above can fail)', async () => {
    const { Webhook } = await import('standardwebhooks');
    const sample = receiver.received[0]!;
    const verifier = new Webhook(server.apps[0]!.environments.development!.webhooks.secret);
    assert.doesNotThrow(() => verifier.verify(sample.body, sample.headers as Record<string, string>));
    assert.throws(() => verifier.verify(sample.body.replace('"type"', '"typ\\u0065"'), sample.headers as Record<string, string>));
    const other = new Webhook(newApp('x').environments.development!.webhooks.secret);
    assert.throws(() => other.verify(sample.body, sample.headers as Record<string, string>));
  });
});
