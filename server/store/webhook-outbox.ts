import { randomUUID } from 'node:crypto';
import type { LifecycleEvent, TenantRef } from '../domain/lifecycle';
import { dialectSql, type SqlClient, type SqlRunner, type SqlValue } from './sql';

export type DeliveryStatus = 'pending' | 'delivered' | 'failed';

/** One event for one endpoint: what the dispatcher sends and what `GET /v1/webhooks/deliveries` shows. */
export interface Delivery {
  seq: number;
  messageId: string;
  tenantKey: string;
  url: string;
  eventType: string;
  orderingKey: string;
  payload: string;
  createdAt: number;
  status: DeliveryStatus;
  attempts: number;
  nextAttemptAt: number;
  lastAttemptAt: number | null;
  lastStatus: number | null;
  lastError: string | null;
  deliveredAt: number | null;
}

// Quoted aliases: PostgreSQL folds unquoted names to lower case.
const COLUMNS = `d.seq, d.message_id AS "messageId", d.tenant_key AS "tenantKey", d.url, d.event_type AS "eventType", d.ordering_key AS "orderingKey",
  d.payload, d.created_at AS "createdAt", d.status, d.attempts, d.next_attempt_at AS "nextAttemptAt", d.last_attempt_at AS "lastAttemptAt",
  d.last_status AS "lastStatus", d.last_error AS "lastError", d.delivered_at AS "deliveredAt"`;

/**
 * Deliveries due now, at most one per endpoint and call (a later event waits until the earlier one for the same
 * endpoint and call is settled, which keeps them in order across retries and nodes), every tenant's first
 * before anyone's second. On PostgreSQL the rows are locked and rows another node holds are skipped; the
 * outer conditions are checked again on the row as it is once locked, so a row claimed meanwhile drops out.
 */
const DUE_SQL = `SELECT ${COLUMNS}, r.rank FROM webhook_deliveries d JOIN (
    SELECT e.seq, ROW_NUMBER() OVER (PARTITION BY e.tenant_key ORDER BY e.seq) AS rank FROM webhook_deliveries e
    WHERE e.status = 'pending' AND e.next_attempt_at <= ?
      AND NOT EXISTS (SELECT 1 FROM webhook_deliveries f WHERE f.url = e.url AND f.ordering_key = e.ordering_key AND f.status = 'pending' AND f.seq < e.seq)
  ) r ON r.seq = d.seq
  WHERE r.rank <= ? AND d.status = 'pending' AND d.next_attempt_at <= ?
  ORDER BY r.rank, d.seq LIMIT ? {{skipLocked}}`;

/** The Standard Webhooks body: `{ type, timestamp, data }`. */
export function webhookBody(tenant: TenantRef, event: LifecycleEvent): string {
  const { type, at, ...data } = event;
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data: { appId: tenant.appId, environment: tenant.environment, ...data } });
}

/**
 * The persisted webhook outbox. Rows are inserted in the same transaction as the record they describe, and
 * leave `pending` only when an endpoint answered 2xx (`delivered`) or the retry schedule ran out (`failed`).
 * A node sending a delivery first claims it (its next attempt moves past the attempt's deadline), so no other
 * node sends it meanwhile; a node that dies mid-attempt leaves it to be retried when the claim lapses.
 */
export class WebhookOutbox {
  constructor(private readonly db: SqlClient) {}

  async enqueue(tx: SqlRunner, tenant: TenantRef, event: LifecycleEvent, urls: readonly string[], now: number): Promise<void> {
    if (urls.length === 0) return;
    const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
    // Everything about one call (its room and session too) is delivered in order: CallID = RoomID.
    const orderingKey = 'callId' in event ? event.callId : event.roomId;
    const body = webhookBody(tenant, event);
    for (const url of new Set(urls)) {
      await tx.run(
        `INSERT INTO webhook_deliveries (message_id, tenant_key, url, event_type, ordering_key, payload, created_at, status, next_attempt_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
        [messageId, tenant.key, url, event.type, `${tenant.key}/${orderingKey}`, body, now, now],
      );
    }
  }

  /**
   * Claims deliveries to send now: of those due (at most `perTenant` per app environment), `choose` picks the
   * ones this node sends (it knows what it has in flight); they are held until `claimUntil`.
   */
  async claim(now: number, limit: number, perTenant: number, claimUntil: number, choose: (due: Delivery[]) => Delivery[]): Promise<Delivery[]> {
    return this.db.transaction(async (tx) => {
      const rows = await tx.all<Delivery & { rank?: number }>(dialectSql(DUE_SQL, tx.dialect), [now, perTenant, now, limit]);
      const chosen = choose(rows.map(({ rank: _rank, ...d }) => d));
      for (const d of chosen) await tx.run('UPDATE webhook_deliveries SET next_attempt_at = ? WHERE seq = ?', [claimUntil, d.seq]);
      return chosen;
    });
  }

  /** Whether anything is due now (and not claimed): a look, so without row locks. */
  async anyDue(now: number): Promise<boolean> {
    return (await this.db.all(DUE_SQL.replace('{{skipLocked}}', ''), [now, 1, now, 1])).length > 0;
  }

  async delivered(seq: number, status: number, now: number): Promise<void> {
    await this.db.run(
      "UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = NULL, delivered_at = ? WHERE seq = ?",
      [now, status, now, seq],
    );
  }

  /** A failed attempt: retry at `retryAt`, or give up (`failed`) when it is null. */
  async attemptFailed(seq: number, result: { status?: number; error: string }, now: number, retryAt: number | null): Promise<void> {
    await this.db.run('UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE seq = ?', [
      retryAt === null ? 'failed' : 'pending',
      now,
      result.status ?? null,
      result.error.slice(0, 500),
      retryAt ?? now,
      seq,
    ]);
  }

  async list(tenantKey: string, query: { status?: DeliveryStatus; messageId?: string; limit: number }): Promise<Delivery[]> {
    const where = ['d.tenant_key = ?'];
    const args: SqlValue[] = [tenantKey];
    if (query.status) {
      where.push('d.status = ?');
      args.push(query.status);
    }
    if (query.messageId) {
      where.push('d.message_id = ?');
      args.push(query.messageId);
    }
    return this.db.all<Delivery>(`SELECT ${COLUMNS} FROM webhook_deliveries d WHERE ${where.join(' AND ')} ORDER BY d.seq DESC LIMIT ?`, [...args, query.limit]);
  }

  pendingCount(): Promise<number> {
    return this.countWithStatus('pending');
  }

  /** Deliveries that exhausted their retries. */
  failedCount(): Promise<number> {
    return this.countWithStatus('failed');
  }

  private async countWithStatus(status: DeliveryStatus): Promise<number> {
    return (await this.db.get<{ n: number }>('SELECT count(*) AS n FROM webhook_deliveries WHERE status = ?', [status]))?.n ?? 0;
  }
}
