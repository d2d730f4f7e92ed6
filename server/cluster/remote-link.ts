import type { NotificationMap, NotificationType } from '../../protocol';
import type { Tenant } from '../domain/apps';
import type { ClientLink } from '../domain/links';
import type { Identity } from '../domain/tokens';
import type { LinkRef } from './directory';

/**
 * A client whose WebSocket is on another node, as this node's calls and rooms see it: an ordinary ClientLink
 * whose notifications travel over the bus to its node. One object per connection id (the relay caches them),
 * so rooms that compare links by identity keep working.
 */
export class RemoteLink implements ClientLink {
  readonly id: string;
  /** Where its socket is; changes when its node died and another node adopted the session. */
  node: string;
  readonly identity: Identity;
  lastUsed = Date.now();

  constructor(
    ref: LinkRef,
    tenant: Tenant,
    private readonly deliver: (node: string, linkId: string, notification: { type: string } & Record<string, unknown>) => void,
  ) {
    this.id = ref.id;
    this.node = ref.node;
    this.identity = {
      tenant,
      userId: ref.userId,
      ...(ref.name !== undefined ? { name: ref.name } : {}),
      ...(ref.avatarUrl !== undefined ? { avatarUrl: ref.avatarUrl } : {}),
      grants: ref.grants,
      expiresAt: ref.expiresAt,
    };
  }

  notify<T extends NotificationType>(type: T, payload: NotificationMap[T]): void {
    this.deliver(this.node, this.id, { type, ...(payload as Record<string, unknown>) });
  }
}

/** How other nodes see a local connection. */
export function refOf(link: ClientLink, node: string): LinkRef {
  const { identity } = link;
  return {
    id: link.id,
    node,
    tenantKey: identity.tenant.key,
    userId: identity.userId,
    ...(identity.name !== undefined ? { name: identity.name } : {}),
    ...(identity.avatarUrl !== undefined ? { avatarUrl: identity.avatarUrl } : {}),
    grants: identity.grants,
    expiresAt: identity.expiresAt,
  };
}
