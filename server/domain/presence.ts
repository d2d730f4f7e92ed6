import type { ClientLink } from './links';
import { userKey } from './links';

/**
 * Which users are online and on which connections (tabs, devices). Keyed per tenant, so a lookup can only
 * find users of the same app environment.
 */
export class Presence {
  private readonly links = new Map<string, Map<string, ClientLink>>();

  /** `observer` hears every change (a cluster mirrors presence into its shared directory). */
  constructor(private readonly observer?: { added(link: ClientLink): void; removed(link: ClientLink): void }) {}

  add(link: ClientLink): void {
    const key = userKey(link.identity);
    let set = this.links.get(key);
    if (!set) this.links.set(key, (set = new Map()));
    set.set(link.id, link);
    this.observer?.added(link);
  }

  remove(link: ClientLink): void {
    const key = userKey(link.identity);
    const set = this.links.get(key);
    if (!set?.delete(link.id)) return;
    this.observer?.removed(link);
    if (set.size === 0) this.links.delete(key);
  }

  /** Live connections of `userId` in the tenant identified by `tenantKey`. */
  connectionsOf(tenantKey: string, userId: string): ClientLink[] {
    return [...(this.links.get(`${tenantKey}/${userId}`)?.values() ?? [])];
  }

  isOnline(tenantKey: string, userId: string): boolean {
    return this.links.has(`${tenantKey}/${userId}`);
  }

  all(): ClientLink[] {
    return [...this.links.values()].flatMap((set) => [...set.values()]);
  }

  get connectionCount(): number {
    let n = 0;
    for (const set of this.links.values()) n += set.size;
    return n;
  }
}
