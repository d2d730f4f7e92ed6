import type { SqlClient } from './sql';

/** Rows deleted per statement: each batch is short, so pruning never holds the event loop for long. */
const BATCH = 2000;
/** Batches per `prune` at most (bounded work per run; the next run goes on where this one stopped). */
const MAX_BATCHES = 50;

export interface PruneResult {
  calls: number;
  sessions: number;
  deliveries: number;
}

/**
 * Deletes what is older than the retention: ended calls (with their callees), ended sessions (with their
 * participants) and settled webhook deliveries (delivered or failed). Open calls and sessions and pending
 * deliveries are never touched, whatever their age.
 */
export async function pruneRecords(db: SqlClient, retentionMs: number, now: number = Date.now()): Promise<PruneResult> {
  const cutoff = now - retentionMs;
  // Each batch deletes the oldest parents and their children together, in one transaction: a run that stops
  // early (MAX_BATCHES) leaves no call without its callees, no session without its participants.
  const oldCalls = `SELECT tenant_key, call_id FROM calls WHERE ended_at IS NOT NULL AND ended_at < ? ORDER BY ended_at LIMIT ${BATCH}`;
  const oldSessions = `SELECT tenant_key, session_id FROM sessions WHERE ended_at IS NOT NULL AND ended_at < ? ORDER BY ended_at LIMIT ${BATCH}`;
  const batches: Array<[keyof PruneResult, string[]]> = [
    ['calls', [`DELETE FROM call_users WHERE (tenant_key, call_id) IN (${oldCalls})`, `DELETE FROM calls WHERE (tenant_key, call_id) IN (${oldCalls})`]],
    ['sessions', [`DELETE FROM session_participants WHERE (tenant_key, session_id) IN (${oldSessions})`, `DELETE FROM sessions WHERE (tenant_key, session_id) IN (${oldSessions})`]],
    ['deliveries', [`DELETE FROM webhook_deliveries WHERE seq IN (SELECT seq FROM webhook_deliveries WHERE status != 'pending' AND created_at < ? ORDER BY created_at LIMIT ${BATCH})`]],
  ];
  const result: PruneResult = { calls: 0, sessions: 0, deliveries: 0 };
  let runs = 0;
  for (const [what, sql] of batches) {
    for (; runs < MAX_BATCHES; runs += 1) {
      const deleted = await db.transaction(async (tx) => {
        let last = 0;
        for (const statement of sql) last = await tx.run(statement, [cutoff]);
        return last;
      });
      result[what] += deleted;
      if (deleted < BATCH) break;
    }
  }
  return result;
}
