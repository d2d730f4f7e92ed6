// Records are pruned after the retention (RETENTION_DAYS, 30 by default): ended calls and sessions with their
// callees and participants, and settled webhook deliveries. Open calls and pending deliveries stay.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { TenantRef } from '../../server/domain/lifecycle';
import { CallRecordStore } from '../../server/store/call-records';
import { pruneRecords } from '../../server/store/retention';
import type { SqlClient } from '../../server/store/sql';
import { openSqlite } from '../../server/store/sqlite-client';
import { DIALECTS, openTestDatabase, recordsOn } from '../support/record-databases';
import { startServer } from '../support/server';

const DAY = 86_400_000;
const tenant: TenantRef = { key: 'app-1:development', appId: 'app-1', environment: 'development' };

/** Writes a whole call (session, joins, ring, answer, end) at `at`, or only its start when `open`. */
async function writeCall(db: SqlClient, callId: string, at: number, open = false): Promise<void> {
  let now = at;
  const { write } = recordsOn(db, { webhookUrls: ['https://hooks.example/events'], now: () => now });
  const sessionId = `s-${callId}`;
  await write(tenant, [
    { type: 'session.started', sessionId, roomId: callId, kind: 'call', at },
    { type: 'participant.joined', sessionId, roomId: callId, userId: 'alice', role: 'host', at },
    { type: 'call.ringing', callId, sessionId, caller: 'alice', callees: ['bob'], video: false, at },
  ]);
  if (open) return;
  now = at + 1000;
  await write(tenant, [
    { type: 'call.ended', callId, sessionId, reason: 'cancelled', durationMs: 0, outcomes: { bob: 'cancelled' }, at: now },
    { type: 'participant.left', sessionId, roomId: callId, userId: 'alice', at: now },
    { type: 'session.ended', sessionId, roomId: callId, reason: 'all_left', at: now },
  ]);
  await db.run("UPDATE webhook_deliveries SET status = 'delivered' WHERE ordering_key = ?", [`${tenant.key}/${callId}`]);
}

const count = async (db: SqlClient, table: string) => (await db.get<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))!.n;

for (const dialect of DIALECTS) {
  describe(`retention (${dialect})`, () => {
    test('ended calls and sessions older than the retention go with their rows; recent and open ones stay', async () => {
      const db = await openTestDatabase(dialect);
      const now = Date.now();
      await writeCall(db, 'old', now - 40 * DAY);
      await writeCall(db, 'recent', now - 2 * DAY);
      await writeCall(db, 'old-but-open', now - 40 * DAY, true);
      await db.run("UPDATE webhook_deliveries SET status = 'pending' WHERE ordering_key = ? AND event_type = 'call.ended'", [`${tenant.key}/recent`]);
      const pendingBefore = await count(db, "webhook_deliveries WHERE status = 'pending'");
      const pruned = await pruneRecords(db, 30 * DAY, now);
      assert.deepEqual(pruned, { calls: 1, sessions: 1, deliveries: 6 });
      const records = new CallRecordStore(db, 'node-a');
      assert.equal(await records.getCall(tenant.key, 'old'), undefined);
      assert.ok(await records.getCall(tenant.key, 'recent'));
      assert.ok(await records.getCall(tenant.key, 'old-but-open'), 'a call still open is never pruned');
      assert.equal(await records.getSession(tenant.key, 's-old'), undefined);
      assert.ok(await records.getSession(tenant.key, 's-old-but-open'));
      assert.equal(await count(db, "call_users WHERE call_id = 'old'"), 0, 'no orphan callees');
      assert.equal(await count(db, "session_participants WHERE session_id = 's-old'"), 0, 'no orphan participants');
      assert.equal(await count(db, "webhook_deliveries WHERE status = 'pending'"), pendingBefore, 'pending deliveries are kept');
      assert.deepEqual(await pruneRecords(db, 30 * DAY, now), { calls: 0, sessions: 0, deliveries: 0 });
      await db.close();
    });

    test('many old calls are pruned in bounded batches until none is left', async () => {
      const db = await openTestDatabase(dialect);
      const old = Date.now() - 90 * DAY;
      // 4500 ended calls in four statements (the same SQL on both databases).
      const rows = (insert: string) => `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 4499) ${insert}`;
      await db.transaction(async (tx) => {
        await tx.run(rows(`INSERT INTO calls (tenant_key, call_id, app_id, environment, room_id, session_id, caller, video, ring_at, ended_at, end_reason, duration_ms)
          SELECT '${tenant.key}', 'bulk-' || i, 'app-1', 'development', 'bulk-' || i, 's-bulk-' || i, 'alice', 0, ${old} + i, ${old} + i + 1000, 'cancelled', 0 FROM n`));
        await tx.run(rows(`INSERT INTO call_users (tenant_key, call_id, user_id, role, ring_at, position) SELECT '${tenant.key}', 'bulk-' || i, 'bob', 'callee', ${old} + i, 1 FROM n`));
        await tx.run(rows(`INSERT INTO sessions (tenant_key, session_id, app_id, environment, room_id, kind, started_at, ended_at, end_reason)
          SELECT '${tenant.key}', 's-bulk-' || i, 'app-1', 'development', 'bulk-' || i, 'call', ${old} + i, ${old} + i + 1000, 'all_left' FROM n`));
        await tx.run(rows(`INSERT INTO session_participants (tenant_key, session_id, user_id, role, joined_at, left_at) SELECT '${tenant.key}', 's-bulk-' || i, 'alice', 'host', ${old} + i, ${old} + i + 1000 FROM n`));
      });
      assert.equal(await count(db, 'calls'), 4500);
      const pruned = await pruneRecords(db, 30 * DAY);
      assert.equal(pruned.calls, 4500);
      assert.equal(pruned.sessions, 4500);
      assert.equal((await count(db, 'calls')) + (await count(db, 'call_users')) + (await count(db, 'sessions')) + (await count(db, 'session_participants')), 0);
      await db.close();
    });
  });
}

describe('retention at start', () => {
  test('the server prunes at start with its RETENTION_DAYS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-retention-'));
    const file = join(dataDir, 'call-widget.db');
    const db = openSqlite(file);
    await writeCall(db, 'ancient', Date.now() - 400 * DAY);
    await writeCall(db, 'last-week', Date.now() - 7 * DAY);
    await db.close();
    const server = await startServer({ dataDir });
    try {
      const left = openSqlite(file);
      assert.deepEqual((await left.all<{ call_id: string }>('SELECT call_id FROM calls ORDER BY call_id')).map((r) => r.call_id), ['last-week']);
      await left.close();
    } finally {
      await server.close();
    }
  });
});
