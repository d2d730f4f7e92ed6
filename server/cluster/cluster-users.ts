import type { LocalUserDirectory, Reach, UserDirectory } from '../domain/user-directory';
import type { ClusterDirectory } from './directory';
import type { NodeLink } from './node-link';
import type { RemoteLinks } from './remote-link';

/**
 * Where users are, cluster-wide: this node's presence and rooms, plus every live node's connections and room
 * memberships from the directory. Connections on other nodes are rung through RemoteLinks (the relay).
 */
export class ClusterUserDirectory implements UserDirectory {
  constructor(
    private readonly here: LocalUserDirectory,
    private readonly directory: ClusterDirectory,
    private readonly link: NodeLink,
    private readonly remotes: RemoteLinks,
  ) {}

  async reach(tenantKey: string, userId: string): Promise<Reach> {
    const local = this.here.reachHere(tenantKey, userId);
    const [refs, roomNode] = await Promise.all([this.directory.connectionsOf(tenantKey, userId), this.directory.roomNodeOf(tenantKey, userId)]);
    // Entries of dead nodes are stale (the node could not clean up): its clients reconnect elsewhere.
    const remote = refs.filter((r) => r.node !== this.link.self && this.link.isLive(r.node)).flatMap((r) => this.remotes.of(r) ?? []);
    const busyElsewhere = roomNode !== undefined && roomNode !== this.link.self && this.link.isLive(roomNode);
    return { online: local.online || remote.length > 0, busy: local.busy || busyElsewhere, links: [...local.links, ...remote] };
  }
}
