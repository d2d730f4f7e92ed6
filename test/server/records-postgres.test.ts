// Records and the webhook outbox on PostgreSQL, shared by several nodes: each webhook is sent exactly once
// whichever node's dispatcher sees it first, in order per call; a node closes only what it left open; an
// outage of the database never stops calls, and their records are written when it returns.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { LifecycleEvent, TenantRef } from '../../server/domain/lifecycle';
import { newApp } from '../../server/store/apps-file';
import type { SqlClient } from '../../server/store/sql';
import { WebhookDispatcher } from '../../server/webhooks/dispatcher';
import { DIALECTS, openTestDatabase, recordsOn, testPostgres } from '../support/record-databases';
import { startServer } from '../support/server';
import { until } from '../support/until';
import { WebhookReceiver } from '../support/webhook-receiver';
import { connectAs } from '../support/ws-client';

type Msg = Record<string, unknown>;
const tenant: TenantRef = { key: 'app-1:development', appId: 'app-1', environment: 'development' };
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

/** One call's whole life as lifecycle events (6 webhooks per endpoint). */
function callEvents(callId: string, at: number): LifecycleEvent[] {
  const sessionId = `s-${callId}`;
  return [
    { type: 'session.started', sessionId, roomId: callId, kind: 'call', at },
    { type: 'participant.joined', sessionId, roomId: callId, userId: 'alice', role: 'host', at },
    { type: 'call.ringing', callId, sessionId, caller: 'alice', callees: ['bob'], video: false, at },
    { type: 'call.ended', callId, sessionId, reason: 'cancelled', durationMs: 0, outcomes: { bob: 'cancelled' }, at: at + 1 },
    { type: 'participant.left', sessionId, roomId: callId, userId: 'alice', at: at + 1 },
    { type: 'session.ended', sessionId, roomId: callId, reason: 'all_left', at: at + 1 },
  ];
}

describe('webhook outbox on PostgreSQL: three nodes, each event once, in order per call', () => {
  let db: SqlClient;
  let receiver: WebhookReceiver;
  before(async () => {
    db = await openTestDatabase('postgres');
    receiver = await WebhookReceiver.create(SECRET);
  });
  after(async () => {
    await receiver?.down();
    await db?.close();
  });

  test('30 calls recorded on three nodes, sent by three dispatchers racing for them, with failures retried', async () => {
    const nodes = ['node-a', 'node-b', 'node-c'].map((node) => recordsOn(db, { node, webhookUrls: [receiver.url] }));
    for (let i = 0; i < 30; i += 1) nodes[i % 3]!.recorder.record(tenant, callEvents(`call-${i}`, 1_000_000 + i));
    await Promise.all(nodes.map((n) => n.recorder.drained(30_000)));
    // The endpoint fails every fifth request once: the delivery is retried, the call's next events wait for it.
    let requests = 0;
    receiver.failWhen = () => (requests += 1) % 5 === 0;
    await receiver.up();
    const dispatchers = nodes.map(
      (n) => new WebhookDispatcher(n.outbox, { secretFor: () => SECRET, allowPrivate: true, pollMs: 20, retryScheduleMs: [50, 50, 50, 50, 50, 50], concurrency: 8, perTenant: 4 }),
    );
    for (const d of dispatchers) d.start();
    try {
      await until('every delivery delivered', async () => ((await nodes[0]!.outbox.pendingCount()) === 0 ? true : undefined), 60_000);
    } finally {
      await Promise.all(dispatchers.map((d) => d.stop()));
    }
    const accepted = receiver.received.filter((r) => r.status === 204);
    const ids = accepted.map((r) => r.id);
    assert.equal(ids.length, 180, 'every event of every call accepted');
    assert.equal(new Set(ids).size, 180, 'and none of them twice');
    assert.ok(receiver.received.some((r) => r.status === 500), 'some attempts failed and were retried');
    const order = ['session.started', 'participant.joined', 'call.ringing', 'call.ended', 'participant.left', 'session.ended'];
    for (let i = 0; i < 30; i += 1) {
      const forCall = accepted.filter((r) => r.event.data.callId === `call-${i}` || r.event.data.roomId === `call-${i}`).map((r) => r.event.type);
      assert.deepEqual(forCall, order, `call-${i} in order`);
    }
    const failed = await nodes[1]!.outbox.failedCount();
    assert.equal(failed, 0);
  });
});

for (const dialect of DIALECTS) {
  describe(`records shared by nodes (${dialect})`, () => {
    test('a call ended twice (by the node that continued it and by the one restarting) is recorded and announced once', async () => {
      const db = await openTestDatabase(dialect);
      const a = recordsOn(db, { node: 'node-a', webhookUrls: ['https://hooks.example/a'] });
      const [started, joined, ringing, ended] = callEvents('twice', 5_000_000);
      await a.write(tenant, [started!, joined!, ringing!]);
      await a.write(tenant, [ended!]);
      await a.write(tenant, [{ ...(ended as Extract<LifecycleEvent, { type: 'call.ended' }>), reason: 'server_restart', at: 5_000_100 }]);
      const record = await a.records.getCall(tenant.key, 'twice');
      assert.equal(record?.endReason, 'cancelled', 'the first end stands');
      const hooks = await a.outbox.list(tenant.key, { limit: 50 });
      assert.equal(hooks.filter((d) => d.eventType === 'call.ended').length, 1);
      await db.close();
    });
  });
}

describe('records shared by nodes (postgres): each node closes what it left open', () => {
  test('a restart closes its own calls only; an adopted call is its new node\'s; a dead node\'s leftovers are closed by another', async () => {
    const db = await openTestDatabase('postgres');
    const a = recordsOn(db, { node: 'node-a' });
    const b = recordsOn(db, { node: 'node-b' });
    await a.write(tenant, callEvents('on-a', 1).slice(0, 3));
    await a.write(tenant, callEvents('moved', 2).slice(0, 3));
    await b.write(tenant, callEvents('on-b', 3).slice(0, 3));
    // node-b continues "moved" after node-a died.
    b.recorder.adopt(tenant.key, 'moved');
    await b.recorder.drained();
    assert.deepEqual(await a.recorder.closeLeftOpen(), { calls: 1, sessions: 2 }, 'node-a: its call and both its sessions (the moved call goes on in a new session)');
    assert.equal((await b.records.getCall(tenant.key, 'on-a'))?.endReason, 'server_restart');
    assert.equal((await b.records.getCall(tenant.key, 'moved'))?.endedAt, undefined, 'the adopted call runs on');
    assert.equal((await b.records.getCall(tenant.key, 'on-b'))?.endedAt, undefined, "another node's call is not touched");
    // node-b died and does not come back: a live node ends what it left, with reason failed.
    assert.deepEqual(await a.recorder.closeLeftOpen('node-b', 'failed'), { calls: 2, sessions: 1 });
    assert.equal((await a.records.getCall(tenant.key, 'moved'))?.endReason, 'failed');
    assert.equal((await a.records.getSession(tenant.key, 's-on-b'))?.endReason, 'failed');
    await db.close();
  });
});

describe('PostgreSQL outage: calls go on, records are written when it returns', () => {
  test('dial, answer and hang up while PostgreSQL is down; the records and webhooks appear after it is back', async () => {
    const pg = await testPostgres();
    const url = await pg.createDatabase('outage');
    const app = newApp('Outage', { demo: true, origins: ['*'], environments: ['development'] });
    const env = app.environments.development!;
    const receiver = await WebhookReceiver.create(env.webhooks.secret);
    env.webhooks.urls = [receiver.url];
    await receiver.up();
    const server = await startServer({ apps: [app], databaseUrl: url, webhookPollMs: 50, webhooks: { allowPrivate: true } });
    const auth = `Basic ${Buffer.from(`${env.appKey}:${env.secret}`).toString('base64')}`;
    const record = (callId: string) => fetch(`${server.url}/v1/calls/${callId}`, { headers: { authorization: auth } });
    try {
      const a = await connectAs(server.url, await server.token('pg-a', { app }));
      const b = await connectAs(server.url, await server.token('pg-b', { app }));
      const dial = async () => {
        const callId = ((await a.request('call.dial', { callees: ['pg-b'], video: false })).data as { call: { callId: string } }).call.callId;
        await b.next((m) => m.type === 'call.incoming');
        await b.request('call.accept', { callId, video: false });
        return callId;
      };
      const before = await dial();
      await pg.stop();
      // The call in progress goes on and ends normally; a new one is placed and ended, all without the database.
      await a.request('call.hangup', { callId: before });
      assert.equal(((await b.next((m) => m.type === 'call.ended')) as Msg).reason, 'hangup');
      const during = await dial();
      await b.request('call.hangup', { callId: during });
      assert.equal(((await a.next((m) => m.type === 'call.ended')) as Msg).reason, 'hangup');
      // What needs the database says so with a typed error: recent calls over signaling, the records API.
      assert.equal(((await a.request('calls.recent', { limit: 5 })) as Msg).code, 'records_unavailable');
      const away = await record(during);
      assert.equal(away.status, 503);
      assert.equal(((await away.json()) as Msg).code, 'records_unavailable');
      assert.equal((await fetch(`${server.url}/healthz`)).status, 200, 'the node is up');
      await pg.start();
      for (const callId of [before, during]) {
        const found = await until(`the record of ${callId}`, async () => {
          const res = await record(callId);
          return res.status === 200 ? ((await res.json()) as Msg) : undefined;
        }, 30_000);
        assert.equal(found.endReason, 'hangup');
        assert.ok(found.answeredAt);
      }
      await until('every webhook of both calls', () => (receiver.received.filter((r) => r.event.type === 'call.ended').length === 2 ? true : undefined), 30_000);
      assert.equal(new Set(receiver.received.map((r) => r.id)).size, receiver.received.length, 'none twice');
      a.close();
      b.close();
    } finally {
      await server.close();
      await receiver.down();
    }
  });
});
