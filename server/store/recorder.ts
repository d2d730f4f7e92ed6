import type { LifecycleEvent, LifecycleSink, TenantRef } from '../domain/lifecycle';
import type { CallRecordStore } from './call-records';
import { isConnectionFailure, type SqlClient } from './sql';
import type { WebhookOutbox } from './webhook-outbox';

/**
 * Lifecycle events waiting to be written, at most (about 1 KB each in memory). Only a database that stays away
 * this long under load fills it; then the oldest waiting write of the app environment with the most waiting is
 * dropped, loudly — one busy tenant loses its own records first, never another's.
 */
export const MAX_PENDING_RECORDS = 100_000;
/** Waits between attempts while the database is away. */
const RETRY_MS = [100, 250, 500, 1000, 2000, 5000] as const;

type PendingWrite = { tenant: TenantRef; events: readonly LifecycleEvent[] } | { adopt: { tenantKey: string; callId: string } };

export interface RecorderOptions {
  webhookUrls(tenantKey: string): readonly string[];
  onQueued(): void;
  onError(error: Error, event: LifecycleEvent): void;
  /** The database went away (writes are kept) or came back (they were written). */
  onAvailability?(available: boolean, pending: number): void;
  now?(): number;
}

/**
 * The one consumer of lifecycle events. Calls never wait on the database: each event is queued in order and a
 * single writer stores it — the record and its webhooks in one transaction, so neither exists without the
 * other — then wakes the dispatcher. While the database is unreachable (a PostgreSQL restart) the queue holds
 * the events and the writer retries; they are written in order when it returns. An event the database refuses
 * for any other reason (a full disk) is logged and dropped, never retried forever.
 */
export class LifecycleRecorder {
  private readonly queue: PendingWrite[] = [];
  private writing: Promise<void> | undefined;
  private available = true;
  private dropped = 0;
  /** Waiting writes per app environment (the fair share when the queue is full). */
  private readonly waiting = new Map<string, number>();

  constructor(
    private readonly db: SqlClient,
    private readonly records: CallRecordStore,
    private readonly outbox: WebhookOutbox,
    private readonly options: RecorderOptions,
    private readonly maxPending = MAX_PENDING_RECORDS,
  ) {}

  readonly sink: LifecycleSink = (tenant, event) => this.record(tenant, [event]);

  /** Events not yet written (a gauge for operators). */
  get pending(): number {
    return this.queue.length;
  }

  record(tenant: TenantRef, events: readonly LifecycleEvent[]): void {
    if (this.queue.length >= this.maxPending) {
      this.dropOneOfBusiest();
      this.dropped += 1;
      if (this.dropped === 1 || this.dropped % 1000 === 0) this.options.onError(new Error(`${this.dropped} call record(s) dropped: the database has been unreachable with ${this.maxPending} waiting`), events[0] as LifecycleEvent);
    }
    this.enqueue({ tenant, events });
  }

  /** This node continues a call another node ran (after that node died): its record is this node's now. */
  adopt(tenantKey: string, callId: string): void {
    this.enqueue({ adopt: { tenantKey, callId } });
  }

  private enqueue(write: PendingWrite): void {
    this.queue.push(write);
    this.count(write, 1);
    this.writing ??= this.write().finally(() => {
      this.writing = undefined;
    });
  }

  /** Resolves once every event recorded so far is written (or `timeoutMs` passed). */
  async drained(timeoutMs = 5000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.writing && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.writing, new Promise((r) => (timer = setTimeout(r, Math.max(0, deadline - Date.now()))))]);
      clearTimeout(timer);
    }
  }

  private count(write: PendingWrite, by: 1 | -1): void {
    const key = 'adopt' in write ? write.adopt.tenantKey : write.tenant.key;
    const n = (this.waiting.get(key) ?? 0) + by;
    if (n > 0) this.waiting.set(key, n);
    else this.waiting.delete(key);
  }

  /** Drops the oldest waiting write (never the one being written) of the app environment with the most waiting. */
  private dropOneOfBusiest(): void {
    let busiest = '';
    for (const [key, n] of this.waiting) if (n > (this.waiting.get(busiest) ?? 0)) busiest = key;
    const at = this.queue.findIndex((w, i) => i > 0 && ('adopt' in w ? w.adopt.tenantKey : w.tenant.key) === busiest);
    const [gone] = this.queue.splice(at > 0 ? at : 1, 1);
    if (gone) this.count(gone, -1);
  }

  private async write(): Promise<void> {
    let failures = 0;
    for (let next = this.queue[0]; next; next = this.queue[0]) {
      const now = this.options.now?.() ?? Date.now();
      try {
        if ('adopt' in next) await this.records.adopt(next.adopt.tenantKey, next.adopt.callId);
        else {
          const { tenant, events } = next;
          await this.db.transaction(async (tx) => {
            for (const event of events) {
              // An event that changed nothing (seen before) is not announced again.
              if (await this.records.apply(tx, tenant, event)) await this.outbox.enqueue(tx, tenant, event, this.options.webhookUrls(tenant.key), now);
            }
          });
        }
      } catch (error) {
        if (isConnectionFailure(error)) {
          if (this.available) this.options.onAvailability?.(false, this.queue.length);
          this.available = false;
          await new Promise((r) => setTimeout(r, RETRY_MS[Math.min(failures, RETRY_MS.length - 1)]));
          failures += 1;
          continue;
        }
        // A full disk must not take calls down with it; the failure is logged loudly instead.
        this.options.onError(error as Error, ('events' in next ? next.events[0] : undefined) as LifecycleEvent);
      }
      if (this.queue[0] === next) this.count(this.queue.shift() as PendingWrite, -1);
      if (!this.available) {
        this.available = true;
        this.options.onAvailability?.(true, this.queue.length);
      }
      failures = 0;
      this.options.onQueued();
    }
  }

  /**
   * At start (and at shutdown): what this node left open was cut off by a restart or crash. Each open call
   * ends with `server_restart`, each open session's participants leave and the session ends — records and
   * webhooks alike. `node` closes another node's leftovers (one that died and is not coming back).
   */
  async closeLeftOpen(node?: string, reason: 'server_restart' | 'failed' = 'server_restart'): Promise<{ calls: number; sessions: number }> {
    await this.drained();
    const now = this.options.now?.() ?? Date.now();
    const open = await this.records.openRecords(node);
    for (const call of open.calls) {
      const outcomes = Object.fromEntries(call.callees.map((c) => [c.userId, c.joined ? 'left' : 'cancelled']));
      const durationMs = call.answeredAt === null ? 0 : Math.max(0, now - call.answeredAt);
      this.record(call.tenant, [{ type: 'call.ended', callId: call.callId, sessionId: call.sessionId, reason, durationMs, outcomes, at: now }]);
    }
    for (const s of open.sessions) {
      this.record(s.tenant, [
        ...s.present.map((userId): LifecycleEvent => ({ type: 'participant.left', sessionId: s.sessionId, roomId: s.roomId, userId, at: now })),
        { type: 'session.ended', sessionId: s.sessionId, roomId: s.roomId, reason, at: now },
      ]);
    }
    await this.drained();
    return { calls: open.calls.length, sessions: open.sessions.length };
  }
}
