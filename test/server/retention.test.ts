// Records are pruned after the retention (RETENTION_DAYS, 30 by default): ended calls and sessions with their
// callees and participants, and settled webhook deliveries. Open calls and pending deliveries stay.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import type { LifecycleEvent, TenantRef } from '../../server/domain/lifecycle';
import { CallRecordStore } from '../../server/store/call-records';
import { type Db, openDatabase } from '../../server/store/database';
import { LifecycleRecorder } from '../../server/store/recorder';
import { pruneRecords } from '../../server/store/retention';
import { WebhookOutbox } from '../../server/store/webhook-outbox';
import { startServer } from '../support/server';

const DAY = 86_400_000;
const tenant: TenantRef = { key: 'app-1:development', appId: 'app-1', environment: 'development' };

/** Writes a whole call (session, joins, ring, answer, end) at `at`, or only its start when `open`. */
function writeCall(db: Db, callId: string, at: number, open = false): void {
  let now = at;
  const recorder = new LifecycleRecorder(db, new CallRecordStore(db), new WebhookOutbox(db), {
    webhookUrls: () => ['https://hooks.example/events'],
    onQueued: () => undefined,
    onError: (error) => {
      throw error;
    },
    now: () => now,
  });
  const sessionId = `s-${callId}`;
  const start: LifecycleEvent[] = [
    { type: 'session.started', sessionId, roomId: callId, kind: 'call', at },
    { type: 'participant.joined', sessionId, roomId: callId, userId: 'alice', role: 'host', at },
    { type: 'call.ringing', callId, sessionId, caller: 'alice', callees: ['bob'], video: false, at },
  ];
  recorder.record(tenant, start);
  if (open) return;
  now = at + 1000;
  recorder.record(tenant, [
    { type: 'call.ended', callId, sessionId, reason: 'cancelled', durationMs: 0, outcomes: { bob: 'cancelled' }, at: now },
    { type: 'participant.left', sessionId, roomId: callId, userId: 'alice', at: now },
    { type: 'session.ended', sessionId, roomId: callId, reason: 'all_left', at: now },
  ]);
  db.prepare("UPDATE webhook_deliveries SET status = 'delivered' WHERE ordering_key = ?").run(`${tenant.key}/${callId}`);
}

const count = (db: Db, table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

describe('retention', () => {
  test('ended calls and sessions older than the retention go with their rows; recent and open ones stay', () => {
    const db = openDatabase(':memory:');
    const now = Date.now();
    writeCall(db, 'old', now - 40 * DAY);
    writeCall(db, 'recent', now - 2 * DAY);
    writeCall(db, 'old-but-open', now - 40 * DAY, true);
    db.prepare("UPDATE webhook_deliveries SET status = 'pending' WHERE ordering_key = ? AND event_type = 'call.ended'").run(`${tenant.key}/recent`);
    const pendingBefore = count(db, "webhook_deliveries WHERE status = 'pending'");
    const pruned = pruneRecords(db, 30 * DAY, now);
    assert.deepEqual(pruned, { calls: 1, sessions: 1, deliveries: 6 });
    const records = new CallRecordStore(db);
    assert.equal(records.getCall(tenant.key, 'old'), undefined);
    assert.ok(records.getCall(tenant.key, 'recent'));
    assert.ok(records.getCall(tenant.key, 'old-but-open'), 'a call still open is never pruned');
    assert.equal(records.getSession(tenant.key, 's-old'), undefined);
    assert.ok(records.getSession(tenant.key, 's-old-but-open'));
    assert.equal(count(db, "call_users WHERE call_id = 'old'"), 0, 'no orphan callees');
    assert.equal(count(db, "session_participants WHERE session_id = 's-old'"), 0, 'no orphan participants');
    assert.equal(count(db, "webhook_deliveries WHERE status = 'pending'"), pendingBefore, 'pending deliveries are kept');
    assert.deepEqual(pruneRecords(db, 30 * DAY, now), { calls: 0, sessions: 0, deliveries: 0 });
  });

  test('many old calls are pruned in bounded batches until none is left', () => {
    const db = openDatabase(':memory:');
    const old = Date.now() - 90 * DAY;
    db.transaction(() => {
      for (let i = 0; i < 4500; i += 1) writeCall(db, `bulk-${i}`, old + i);
    })();
    const pruned = pruneRecords(db, 30 * DAY);
    assert.equal(pruned.calls, 4500);
    assert.equal(pruned.sessions, 4500);
    assert.equal(count(db, 'calls') + count(db, 'call_users') + count(db, 'sessions') + count(db, 'session_participants'), 0);
  });

  test('the server prunes at start with its RETENTION_DAYS', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'cw-retention-'));
    const file = join(dataDir, 'call-widget.db');
    const db = openDatabase(file);
    writeCall(db, 'ancient', Date.now() - 400 * DAY);
    writeCall(db, 'last-week', Date.now() - 7 * DAY);
    db.close();
    const server = await startServer({ dataDir });
    try {
      const left = openDatabase(file);
      assert.deepEqual((left.prepare('SELECT call_id FROM calls ORDER BY call_id').all() as { call_id: string }[]).map((r) => r.call_id), ['last-week']);
      left.close();
    } finally {
      await server.close();
    }
  });
});
