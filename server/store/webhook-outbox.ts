import { randomUUID } from 'node:crypto';
import type { LifecycleEvent, TenantRef } from '../domain/lifecycle';
import type { Db } from './database';

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

const COLUMNS = `seq, message_id AS messageId, tenant_key AS tenantKey, url, event_type AS eventType, ordering_key AS orderingKey,
  payload, created_at AS createdAt, status, attempts, next_attempt_at AS nextAttemptAt, last_attempt_at AS lastAttemptAt,
  last_status AS lastStatus, last_error AS lastError, delivered_at AS deliveredAt`;

/** The Standard Webhooks body: `{ type, timestamp, data }`. */
export function webhookBody(tenant: TenantRef, event: LifecycleEvent): string {
  const { type, at, ...data } = event;
  return JSON.stringify({ type, timestamp: new Date(at).toISOString(), data: { appId: tenant.appId, environment: tenant.environment, ...data } });
}

/**
 * The persisted webhook outbox. Rows are inserted in the same transaction as the record they describe, and
 * leave `pending` only when an endpoint answered 2xx (`delivered`) or the retry schedule ran out (`failed`).
 */
export class WebhookOutbox {
  constructor(private readonly db: Db) {}

  enqueue(tenant: TenantRef, event: LifecycleEvent, urls: readonly string[], now: number): void {
    if (urls.length === 0) return;
    const messageId = `msg_${randomUUID().replaceAll('-', '')}`;
    // Everything about one call (its room and session too) is delivered in order: CallID = RoomID.
    const orderingKey = 'callId' in event ? event.callId : event.roomId;
    const insert = this.db.prepare(
      `INSERT INTO webhook_deliveries (message_id, tenant_key, url, event_type, ordering_key, payload, created_at, status, next_attempt_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    );
    const body = webhookBody(tenant, event);
    for (const url of new Set(urls)) insert.run(messageId, tenant.key, url, event.type, `${tenant.key}/${orderingKey}`, body, now, now);
  }

  /**
   * Deliveries due now, at most one per endpoint and call: a later event waits until the earlier one for the
   * same endpoint and call is settled, which is what keeps them in order across retries. At most `perTenant`
   * per app environment counting those in flight (`exclude`), every tenant's first before anyone's second: a
   * tenant whose endpoint hangs holds its own slots only.
   */
  due(now: number, limit: number, exclude: ReadonlySet<number>, perTenant = Number.MAX_SAFE_INTEGER): Delivery[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM (
           SELECT ${COLUMNS}, ROW_NUMBER() OVER (PARTITION BY d.tenant_key ORDER BY d.seq) AS rank FROM webhook_deliveries d
           WHERE d.status = 'pending' AND d.next_attempt_at <= ?
             AND NOT EXISTS (SELECT 1 FROM webhook_deliveries e WHERE e.url = d.url AND e.ordering_key = d.ordering_key AND e.status = 'pending' AND e.seq < d.seq)
         ) WHERE rank <= ? ORDER BY rank, seq LIMIT ?`,
      )
      .all(now, perTenant, limit + exclude.size) as Array<Delivery & { rank?: number }>;
    return rows
      .filter((r) => !exclude.has(r.seq))
      .slice(0, limit)
      .map(({ rank: _rank, ...d }) => d);
  }

  delivered(seq: number, status: number, now: number): void {
    this.db
      .prepare("UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = NULL, delivered_at = ? WHERE seq = ?")
      .run(now, status, now, seq);
  }

  /** A failed attempt: retry at `retryAt`, or give up (`failed`) when it is null. */
  attemptFailed(seq: number, result: { status?: number; error: string }, now: number, retryAt: number | null): void {
    this.db
      .prepare('UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, last_attempt_at = ?, last_status = ?, last_error = ?, next_attempt_at = ? WHERE seq = ?')
      .run(retryAt === null ? 'failed' : 'pending', now, result.status ?? null, result.error.slice(0, 500), retryAt ?? now, seq);
  }

  list(tenantKey: string, query: { status?: DeliveryStatus; messageId?: string; limit: number }): Delivery[] {
    const where = ['tenant_key = ?'];
    const args: Array<string | number> = [tenantKey];
    if (query.status) {
      where.push('status = ?');
      args.push(query.status);
    }
    if (query.messageId) {
      where.push('message_id = ?');
      args.push(query.messageId);
    }
    return this.db.prepare(`SELECT ${COLUMNS} FROM webhook_deliveries WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ?`).all(...args, query.limit) as Delivery[];
  }

  get pendingCount(): number {
    return this.countWithStatus('pending');
  }

  /** Deliveries that exhausted their retries. */
  get failedCount(): number {
    return this.countWithStatus('failed');
  }

  private countWithStatus(status: DeliveryStatus): number {
    return (this.db.prepare('SELECT count(*) AS n FROM webhook_deliveries WHERE status = ?').get(status) as { n: number }).n;
  }
}
