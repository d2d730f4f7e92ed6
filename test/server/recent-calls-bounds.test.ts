// Recent calls cost one indexed query and answer a bounded page whatever a user's history holds: at most 50
// calls, paged with `before`, at most 8 peers named per call (the rest counted). A call rings at most 100.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DEFAULT_LIMITS } from '../../server/domain/apps';
import type { LifecycleEvent, TenantRef } from '../../server/domain/lifecycle';
import Database from 'better-sqlite3';
import { type CallRecordStore, recentCallsSql } from '../../server/store/call-records';
import { SCHEMA_VERSION, migrationSql } from '../../server/store/migrations';
import type { SqlClient } from '../../server/store/sql';
import { DIALECTS, openTestDatabase, recordsOn } from '../support/record-databases';
import { newApp } from '../../server/store/apps-file';
import { startServer, type TestServer } from '../support/server';
import { connectAs } from '../support/ws-client';

type Msg = Record<string, unknown>;
const tenant: TenantRef = { key: 'app:development', appId: 'app', environment: 'development' };

for (const dialect of DIALECTS) {
  describe(`recent calls: bounded, paged, indexed (${dialect})`, () => {
    let db: SqlClient;
    let records: CallRecordStore;
    const t0 = Date.now() - 1_000_000;
    before(async () => {
      db = await openTestDatabase(dialect);
      const on = recordsOn(db);
      records = on.records;
      for (let i = 0; i < 120; i += 1) {
        const callId = `call-${i}`;
        const sessionId = `session-${i}`;
        const callees = i === 119 ? Array.from({ length: 40 }, (_, k) => `guest-${k}`) : ['bob'];
        const at = t0 + i * 1000;
        const events: LifecycleEvent[] = [
          { type: 'session.started', sessionId, roomId: callId, kind: 'call', at },
          { type: 'participant.joined', sessionId, roomId: callId, userId: 'alice', name: 'Alice', role: 'participant', at },
          { type: 'call.ringing', callId, sessionId, caller: 'alice', callees, video: i % 2 === 0, at },
          { type: 'participant.joined', sessionId, roomId: callId, userId: callees[0]!, name: 'First guest', role: 'participant', at },
          { type: 'call.ended', callId, sessionId, reason: 'hangup', durationMs: 1000, outcomes: Object.fromEntries(callees.map((c) => [c, 'left'])), at: at + 1000 },
        ];
        on.recorder.record(tenant, events);
      }
      await on.recorder.drained(60_000);
    });
    after(async () => db?.close());

    test('a page is at most 50 calls, newest first; `before` pages on without overlap', async () => {
      const first = await records.recentFor(tenant.key, 'alice', 500);
      assert.equal(first.length, 50, 'the store clamps the page size too');
      assert.deepEqual(first.slice(0, 2).map((c) => c.callId), ['call-119', 'call-118']);
      const second = await records.recentFor(tenant.key, 'alice', 50, first.at(-1)!.at);
      assert.equal(second[0]!.callId, 'call-69');
      assert.equal(new Set([...first, ...second].map((c) => c.callId)).size, 100);
      const last = await records.recentFor(tenant.key, 'alice', 50, second.at(-1)!.at);
      assert.equal(last.length, 20);
    });

    test('a call with 40 people names 8 (in the order they were dialed) and counts them all', async () => {
      const big = (await records.recentFor(tenant.key, 'alice', 1))[0]!;
      assert.equal(big.peers.length, 8);
      assert.equal(big.peerCount, 40);
      assert.deepEqual(big.peers[0], { userId: 'guest-0', name: 'First guest' });
      assert.deepEqual(big.peers.map((p) => p.userId), Array.from({ length: 8 }, (_, k) => `guest-${k}`));
      const small = (await records.recentFor(tenant.key, 'alice', 2))[1]!;
      assert.deepEqual(small.peers, [{ userId: 'bob', name: 'First guest' }]);
      assert.equal(small.peerCount, undefined);
      const bobs = (await records.recentFor(tenant.key, 'bob', 1))[0]!;
      assert.equal(bobs.direction, 'incoming');
      assert.deepEqual(bobs.peers, [{ userId: 'alice', name: 'Alice' }]);
    });
  });
}

describe('recent calls on SQLite walk indexes only', () => {
  test('no table scan whatever the history', () => {
    const db = new Database(':memory:');
    db.exec(Array.from({ length: SCHEMA_VERSION }, (_, i) => migrationSql(i, 'sqlite')).join(';'));
    const plan = (db.prepare(`EXPLAIN QUERY PLAN ${recentCallsSql('sqlite')}`).all(tenant.key, 'alice', Number.MAX_SAFE_INTEGER, 50) as { detail: string }[]).map((r) => r.detail);
    assert.ok(plan.some((d) => /SEARCH u USING INDEX call_users_user/.test(d)), plan.join('\n'));
    assert.ok(!plan.some((d) => /^SCAN (u|c|x|sp)\b/.test(d)), plan.join('\n'));
    db.close();
  });
});

describe('calls.recent over signaling and the per-call ring cap', () => {
  let server: TestServer;
  const app = newApp('Busy', { demo: true, environments: ['development'] });
  app.environments.development!.limits = { ...DEFAULT_LIMITS, ringsPerCallerPerMinute: 1000, ringsPerCalleePerMinute: 1000 };
  before(async () => {
    server = await startServer({ apps: [app] });
  });
  after(async () => server?.close());

  test('limit above 50 is refused by the schema; before is accepted', async () => {
    const s = await connectAs(server.url, await server.token('pager', { app }));
    assert.equal((await s.request('calls.recent', { limit: 51 })).code, 'invalid_message');
    assert.equal((await s.request('calls.recent', { limit: 10, before: Date.now() })).type, 'response');
    s.close();
  });

  test('a call rings at most 100 people in all', async () => {
    const host = await connectAs(server.url, await server.token('big-host', { app }));
    const first = await connectAs(server.url, await server.token('p-0', { app }));
    const ids = (from: number, n: number) => Array.from({ length: n }, (_, i) => `p-${from + i}`);
    const dial = await host.request('call.dial', { callees: ids(0, 32), video: false });
    const callId = (dial.data as { call: { callId: string } }).call.callId;
    await first.next((m) => m.type === 'call.incoming');
    await first.request('call.accept', { callId, video: false });
    assert.equal((await host.request('call.invite', { callId, callees: ids(32, 32) })).type, 'response');
    assert.equal((await host.request('call.invite', { callId, callees: ids(64, 32) })).type, 'response');
    const over = (await host.request('call.invite', { callId, callees: ids(96, 5) })) as Msg;
    assert.equal(over.code, 'limit_exceeded');
    assert.match(String(over.message), /at most 100 people/);
    assert.equal((await host.request('call.invite', { callId, callees: ids(96, 4) })).type, 'response', 'exactly 100 is fine');
    await host.request('call.hangup', { callId });
    host.close();
    first.close();
  });
});
