// Webhooks cannot be pointed at the server's own network (loopback, private, link-local, metadata), checked
// again at delivery against DNS; the tenant sees failure classes, not network detail; and one tenant's hanging
// endpoint delays only that tenant's deliveries.
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { newApp } from '../../server/store/apps-file';
import { isPublicAddress, targetUrlProblem } from '../../server/webhooks/target-guard';
import { startServer, type TestServer } from '../support/server';
import { until } from '../support/until';
import { WebhookReceiver } from '../support/webhook-receiver';
import { connectAs } from '../support/ws-client';

type Msg = Record<string, unknown>;

const basic = (app: ReturnType<typeof newApp>) => `Basic ${Buffer.from(`${app.environments.development!.appKey}:${app.environments.development!.secret}`).toString('base64')}`;

async function deliveries(server: TestServer, app: ReturnType<typeof newApp>): Promise<Msg[]> {
  const res = await fetch(`${server.url}/v1/webhooks/deliveries?limit=500`, { headers: { authorization: basic(app) } });
  return ((await res.json()) as { deliveries: Msg[] }).deliveries;
}

/** One room session of `userId` (started, joined, left, ended: four events for each webhook URL). */
async function session(server: TestServer, app: ReturnType<typeof newApp>, userId: string, roomId: string): Promise<void> {
  const s = await connectAs(server.url, await server.token(userId, { app }));
  await s.request('room.join', { roomId, video: false });
  await s.request('room.leave');
  s.close();
}

describe('webhook targets', () => {
  test('non-public addresses and plain http are refused without the opt-in', () => {
    for (const ip of ['127.0.0.1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', '::', 'fd00::1', 'fe80::1', '::ffff:127.0.0.1', '::ffff:10.0.0.1']) {
      assert.equal(isPublicAddress(ip), false, ip);
    }
    for (const ip of ['8.8.8.8', '1.1.1.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']) assert.equal(isPublicAddress(ip), true, ip);
    assert.match(String(targetUrlProblem('http://hooks.example/x', false)), /must be https/);
    assert.match(String(targetUrlProblem('https://169.254.169.254/latest/meta-data', false)), /link-local/);
    assert.match(String(targetUrlProblem('https://[::1]:8443/x', false)), /loopback/);
    assert.match(String(targetUrlProblem('https://user:pw@hooks.example/x', false)), /credentials/);
    assert.equal(targetUrlProblem('https://hooks.example/x', false), undefined);
    assert.equal(targetUrlProblem('http://127.0.0.1:9/x', true), undefined, 'the operator may opt in');
  });

  describe('a server without WEBHOOK_ALLOW_PRIVATE', () => {
    let server: TestServer;
    let receiver: WebhookReceiver;
    const app = newApp('Prober', { demo: true, environments: ['development'] });
    before(async () => {
      receiver = await WebhookReceiver.create(app.environments.development!.webhooks.secret);
      await receiver.up();
      app.environments.development!.webhooks.urls = [
        receiver.url, // http to loopback
        `https://localhost:${receiver.port}/hooks`, // a name: refused when it resolves, at delivery
        'https://169.254.169.254/latest/meta-data/',
        `https://[::ffff:127.0.0.1]:${receiver.port}/hooks`,
      ];
      server = await startServer({ apps: [app], webhookPollMs: 50 });
    });
    after(async () => {
      await server?.close();
      await receiver?.down();
    });

    test('delivers nothing to them, and shows only target_not_allowed', async () => {
      await session(server, app, 'prober', 'probe-room');
      const tried = await until('attempts on every delivery', async () => {
        const all = await deliveries(server, app);
        return all.length === 16 && all.filter((d) => d.eventType === 'session.started').every((d) => (d.attempts as number) >= 1) ? all : undefined;
      });
      const attempted = tried.filter((d) => (d.attempts as number) >= 1);
      assert.deepEqual(new Set(attempted.map((d) => d.lastError)), new Set(['target_not_allowed']));
      assert.equal(new Set(attempted.map((d) => d.url)).size, 4, 'each URL, the name resolved at delivery included');
      assert.equal(receiver.received.length, 0);
    });
  });
});

describe('webhook fairness', () => {
  let server: TestServer;
  let receiver: WebhookReceiver;
  const hanging = createServer();
  const open = new Set<Socket>();
  let maxOpen = 0;
  let closing = false;
  const slow = newApp('Slow', { demo: true, environments: ['development'] });
  const quick = newApp('Quick', { demo: true, environments: ['development'] });
  before(async () => {
    // Accepts connections and never answers: each attempt holds its slot until the delivery timeout.
    hanging.on('connection', (socket) => {
      if (closing) return void socket.destroy();
      open.add(socket);
      maxOpen = Math.max(maxOpen, open.size);
      socket.on('close', () => open.delete(socket));
      socket.on('error', () => undefined);
    });
    await new Promise<void>((r) => hanging.listen(0, '127.0.0.1', r));
    slow.environments.development!.webhooks.urls = [`http://127.0.0.1:${(hanging.address() as AddressInfo).port}/hooks`];
    receiver = await WebhookReceiver.create(quick.environments.development!.webhooks.secret);
    await receiver.up();
    quick.environments.development!.webhooks.urls = [receiver.url];
    server = await startServer({ apps: [slow, quick], webhookPollMs: 50, webhooks: { allowPrivate: true, timeoutMs: 8000 } });
  });
  after(async () => {
    // Hung attempts fail now (no waiting for their timeout while the server shuts down).
    closing = true;
    for (const s of open) s.destroy();
    hanging.close();
    await server?.close();
    await receiver?.down();
  });

  test('a hanging endpoint holds at most 2 attempts; another tenant is delivered meanwhile', async () => {
    // 20 room sessions of the slow tenant: 20 calls' worth of first events, more than all delivery slots.
    for (let i = 0; i < 20; i += 1) await session(server, slow, 'slow-user', `slow-room-${i}`);
    await until('the hanging endpoint to be reached', async () => (open.size > 0 ? true : undefined));
    await session(server, quick, 'quick-user', 'quick-room');
    await until('the quick tenant delivered', async () => ((await deliveries(server, quick)).every((d) => d.status === 'delivered') ? true : undefined), 6000);
    assert.equal(receiver.received.length, 4);
    // Delivered while the slow tenant's first attempts were still hanging (none had timed out yet).
    const slowOnes = await deliveries(server, slow);
    assert.ok(slowOnes.every((d) => d.status === 'pending' && d.attempts === 0), JSON.stringify(slowOnes.map((d) => d.attempts)));
    assert.ok(maxOpen <= 2, `${maxOpen} connections at once to the hanging endpoint`);
  });
});
