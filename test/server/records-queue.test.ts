// While the records database is unreachable, lifecycle events wait in a bounded queue and are written in order
// when it returns; when the queue is full, the app environment with the most waiting loses its own oldest first.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { TenantRef } from '../../server/domain/lifecycle';
import { CallRecordStore } from '../../server/store/call-records';
import { LifecycleRecorder } from '../../server/store/recorder';
import type { SqlClient } from '../../server/store/sql';
import { openSqlite } from '../../server/store/sqlite-client';
import { WebhookOutbox } from '../../server/store/webhook-outbox';

const tenantOf = (app: string): TenantRef => ({ key: `${app}:development`, appId: app, environment: 'development' });

/** A real SQLite database whose transactions fail as an unreachable PostgreSQL's would while `down`. */
function switchable(db: SqlClient): SqlClient & { down: boolean } {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const wrapped = Object.create(db) as SqlClient & { down: boolean };
  wrapped.down = true;
  wrapped.transaction = (work) => (wrapped.down ? Promise.reject(refused) : db.transaction(work));
  return wrapped;
}

describe('records queue while the database is away', () => {
  test('written in order when it returns; a full queue drops the busiest tenant\'s oldest, never the quiet one\'s', async () => {
    const db = switchable(openSqlite(':memory:'));
    const records = new CallRecordStore(db, 'node-a');
    const errors: string[] = [];
    const availability: boolean[] = [];
    const recorder = new LifecycleRecorder(
      db,
      records,
      new WebhookOutbox(db),
      { webhookUrls: () => [], onQueued: () => undefined, onError: (e) => errors.push(e.message), onAvailability: (up) => availability.push(up) },
      10,
    );
    const ring = (app: string, callId: string, at: number) =>
      recorder.record(tenantOf(app), [{ type: 'call.ringing', callId, sessionId: `s-${callId}`, caller: 'alice', callees: ['bob'], video: false, at }]);
    for (let i = 0; i < 3; i += 1) ring('quiet', `quiet-${i}`, 1000 + i);
    for (let i = 0; i < 30; i += 1) ring('noisy', `noisy-${i}`, 2000 + i);
    assert.equal(recorder.pending, 10, 'bounded');
    assert.match(errors[0] ?? '', /dropped/);
    db.down = false;
    await recorder.drained(20_000);
    assert.equal(recorder.pending, 0);
    assert.deepEqual(availability, [false, true], 'outage and return reported once each');
    const quiet = await records.listCalls(tenantOf('quiet').key, { limit: 50 });
    assert.deepEqual(quiet.map((c) => c.callId).sort(), ['quiet-0', 'quiet-1', 'quiet-2'], 'the quiet tenant lost nothing');
    const noisy = (await records.listCalls(tenantOf('noisy').key, { limit: 50 })).map((c) => c.callId);
    assert.equal(noisy.length, 7);
    assert.ok(noisy.includes('noisy-29') && !noisy.includes('noisy-1'), `the newest kept, the oldest dropped: ${noisy.join(', ')}`);
    await db.close();
  });
});
