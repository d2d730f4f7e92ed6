import type { LifecycleEvent, LifecycleSink, TenantRef } from '../domain/lifecycle';
import type { CallRecordStore } from './call-records';
import type { Db } from './database';
import type { WebhookOutbox } from './webhook-outbox';

/**
 * The one consumer of lifecycle events: writes the record and queues its webhooks in a single transaction
 * (so neither exists without the other), then wakes the dispatcher.
 */
export class LifecycleRecorder {
  constructor(
    private readonly db: Db,
    private readonly records: CallRecordStore,
    private readonly outbox: WebhookOutbox,
    private readonly options: {
      webhookUrls(tenantKey: string): readonly string[];
      onQueued(): void;
      onError(error: Error, event: LifecycleEvent): void;
      now?(): number;
    },
  ) {}

  readonly sink: LifecycleSink = (tenant, event) => this.record(tenant, [event]);

  record(tenant: TenantRef, events: readonly LifecycleEvent[]): void {
    const now = this.options.now?.() ?? Date.now();
    try {
      this.db.transaction(() => {
        for (const event of events) {
          this.records.apply(tenant, event);
          this.outbox.enqueue(tenant, event, this.options.webhookUrls(tenant.key), now);
        }
      })();
    } catch (error) {
      // A full disk must not take calls down with it; the failure is logged loudly instead.
      this.options.onError(error as Error, events[0] as LifecycleEvent);
      return;
    }
    this.options.onQueued();
  }

  /**
   * At start: what a previous run left open was cut off by a restart or crash. Each open call ends with
   * `server_restart`, each open session's participants leave and the session ends — records and webhooks alike.
   */
  closeLeftOpen(): { calls: number; sessions: number } {
    const now = this.options.now?.() ?? Date.now();
    const open = this.records.openRecords();
    for (const call of open.calls) {
      const outcomes = Object.fromEntries(call.callees.map((c) => [c.userId, c.joined ? 'left' : 'cancelled']));
      const durationMs = call.answeredAt === null ? 0 : Math.max(0, now - call.answeredAt);
      this.record(call.tenant, [{ type: 'call.ended', callId: call.callId, sessionId: call.sessionId, reason: 'server_restart', durationMs, outcomes, at: now }]);
    }
    for (const s of open.sessions) {
      this.record(s.tenant, [
        ...s.present.map((userId): LifecycleEvent => ({ type: 'participant.left', sessionId: s.sessionId, roomId: s.roomId, userId, at: now })),
        { type: 'session.ended', sessionId: s.sessionId, roomId: s.roomId, reason: 'server_restart', at: now },
      ]);
    }
    return { calls: open.calls.length, sessions: open.sessions.length };
  }
}
