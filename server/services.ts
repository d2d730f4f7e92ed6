import type { ServerConfig } from './config';
import type { CascadeStatus } from './media/cascade';
import type { AppRegistry } from './domain/apps';
import type { CallService } from './domain/calls';
import type { Moderation } from './domain/moderation';
import type { Presence } from './domain/presence';
import type { RoomRegistry } from './domain/rooms';
import type { AuthFailureLimiter } from './domain/auth-failures';
import type { WorkerPool } from './media/worker-pool';
import type { SessionRegistry } from './signaling/client-session';
import type { CallRecordStore } from './store/call-records';
import type { WebhookOutbox } from './store/webhook-outbox';
import type { Topology } from './topology/topology';

/** The long-lived services one server instance owns; built once in buildApp and closed on shutdown. */
export interface Services {
  config: ServerConfig;
  apps: AppRegistry;
  pool: WorkerPool;
  presence: Presence;
  rooms: RoomRegistry;
  calls: CallService;
  moderation: Moderation;
  /** Signaling clients by resume token (a dropped client resumes within the grace period). */
  clients: SessionRegistry;
  records: CallRecordStore;
  outbox: WebhookOutbox;
  /** Lifecycle events not yet written to the records database. */
  recordsWaiting(): number;
  lifecycle: Lifecycle;
  /** Failed REST authentications per App Key and client address (secret guessing is refused with 429). */
  authFailures: AuthFailureLimiter;
  /** Where calls, rooms and sessions live: this node alone, or a cluster (REDIS_URL) relaying to their homes. */
  topology: Topology;
  /** In a cluster: rooms of this node served partly by others, and this node's part of others' live rooms. */
  cascade?: CascadeStatus;
}

/** Shutdown (SIGTERM) as the server's parts see it; main.ts drives it (moving idle clients: client-lifecycle.ts). */
export interface Lifecycle {
  /** Set when shutdown begins: readiness turns 503 so a load balancer stops sending new users. */
  shuttingDown: boolean;
}
