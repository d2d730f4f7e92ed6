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

/** Relayed clients not in a room here and idle this long are forgotten (a later request recreates them). */
const IDLE_LINK_MS = 120_000;

/**
 * This node's RemoteLinks, one per connection id. When a client's node dies its links wait `graceMs` for the
 * client to come back through another node (`rebind`); those that do not are handed to `onLost`.
 */
export class RemoteLinks {
  private readonly links = new Map<string, RemoteLink>();
  private readonly orphans = new Map<string, NodeJS.Timeout>();
  private readonly lostListeners = new Set<(link: RemoteLink) => void>();

  constructor(
    private readonly tenantOf: (tenantKey: string) => Tenant | undefined,
    private readonly deliver: (node: string, linkId: string, notification: { type: string } & Record<string, unknown>) => void,
    private readonly graceMs: number,
  ) {}

  /** `listener` hears of a link whose node died and that did not come back through another node in time. */
  onLost(listener: (link: RemoteLink) => void): void {
    this.lostListeners.add(listener);
  }

  /** The link for `ref`, created on first use; undefined when this node does not know its app. */
  of(ref: LinkRef): RemoteLink | undefined {
    const known = this.links.get(ref.id);
    if (known) {
      known.lastUsed = Date.now();
      return known;
    }
    const tenant = this.tenantOf(ref.tenantKey);
    if (!tenant) return undefined;
    const link = new RemoteLink(ref, tenant, this.deliver);
    this.links.set(ref.id, link);
    return link;
  }

  get(id: string): RemoteLink | undefined {
    return this.links.get(id);
  }

  forget(id: string): void {
    this.links.delete(id);
    clearTimeout(this.orphans.get(id));
    this.orphans.delete(id);
  }

  /** The client's socket is on `node` now (its old node died and `node` adopted the session). */
  rebind(ref: LinkRef): void {
    const link = this.links.get(ref.id);
    if (!link) return;
    link.node = ref.node;
    link.lastUsed = Date.now();
    clearTimeout(this.orphans.get(link.id));
    this.orphans.delete(link.id);
  }

  nodeDied(node: string): void {
    for (const link of this.links.values()) {
      if (link.node !== node || this.orphans.has(link.id)) continue;
      const timer = setTimeout(() => {
        this.orphans.delete(link.id);
        if (link.node !== node) return;
        this.links.delete(link.id);
        for (const listener of this.lostListeners) listener(link);
      }, this.graceMs);
      this.orphans.set(link.id, timer);
    }
  }

  /** Forgets idle links that hold nothing here (`holds`: in a room or with prepared media). */
  sweep(holds: (link: RemoteLink) => boolean): void {
    const before = Date.now() - IDLE_LINK_MS;
    for (const [id, link] of this.links) if (link.lastUsed < before && !holds(link)) this.links.delete(id);
  }

  close(): void {
    for (const t of this.orphans.values()) clearTimeout(t);
  }
}
