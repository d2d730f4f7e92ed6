import type { CallEndReason, Environment } from '../../protocol';
import type { Tenant } from './apps';

/**
 * What happened to calls, sessions and participants, as facts with times. The domain emits them; the store
 * records them and queues the matching webhooks in the same transaction, so a record and its webhook are
 * never one without the other. The names are the webhook event types.
 */
export type LifecycleEvent =
  | { type: 'session.started'; sessionId: string; roomId: string; kind: string; at: number }
  | { type: 'session.ended'; sessionId: string; roomId: string; reason: string; at: number }
  | { type: 'participant.joined'; sessionId: string; roomId: string; userId: string; name?: string; role: string; at: number }
  | { type: 'participant.left'; sessionId: string; roomId: string; userId: string; at: number }
  | { type: 'call.ringing'; callId: string; sessionId: string; caller: string; callees: string[]; video: boolean; at: number }
  | { type: 'call.answered'; callId: string; sessionId: string; answeredBy: string; at: number }
  | {
      type: 'call.ended';
      callId: string;
      sessionId: string;
      reason: CallEndReason;
      durationMs: number;
      /** Each callee's outcome: joined, left, declined, no_answer, busy, unavailable, cancelled. */
      outcomes: Record<string, string>;
      at: number;
    };

export type LifecycleEventType = LifecycleEvent['type'];

export const LIFECYCLE_EVENT_TYPES: readonly LifecycleEventType[] = [
  'call.ringing',
  'call.answered',
  'call.ended',
  'participant.joined',
  'participant.left',
  'session.started',
  'session.ended',
];

/** Which tenant an event belongs to. */
export interface TenantRef {
  key: string;
  appId: string;
  environment: Environment;
}

export function tenantRef(tenant: Tenant): TenantRef {
  return { key: tenant.key, appId: tenant.app.id, environment: tenant.environment };
}

/** Receives every lifecycle event; must not throw into the domain (it logs its own failures). */
export type LifecycleSink = (tenant: TenantRef, event: LifecycleEvent) => void;
