import type { NotificationMap, NotificationType } from '../../protocol';
import type { Identity } from './tokens';

/** One authenticated signaling connection, as the domain sees it (no socket types here). */
export interface ClientLink {
  readonly id: string;
  readonly identity: Identity;
  /** In a cluster, the node this connection's socket is on when that is not this node (a relayed client). */
  readonly node?: string;
  notify<T extends NotificationType>(type: T, payload: NotificationMap[T]): void;
}

/** `${tenant}/${userId}`: users of different apps or environments never collide. */
export function userKey(identity: Identity): string {
  return `${identity.tenant.key}/${identity.userId}`;
}
