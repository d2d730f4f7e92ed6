import type { ClientLink } from './links';
import type { Presence } from './presence';
import type { RoomRegistry } from './rooms';

/** Whether a user can be rung, and through which connections (on this node or relayed from another). */
export interface Reach {
  online: boolean;
  /** In a room already (a call, conference or live room): a new call finds them busy. */
  busy: boolean;
  links: ClientLink[];
}

/**
 * Where users are: the one question a call asks before it rings. Single node: this process's presence and
 * rooms. Cluster: every node's, through the shared directory (server/cluster/) — the domain cannot tell.
 */
export interface UserDirectory {
  reach(tenantKey: string, userId: string): Promise<Reach>;
}

/** The single-node directory: presence and rooms of this process. */
export class LocalUserDirectory implements UserDirectory {
  constructor(
    private readonly presence: Presence,
    private readonly rooms: RoomRegistry,
  ) {}

  async reach(tenantKey: string, userId: string): Promise<Reach> {
    return this.reachHere(tenantKey, userId);
  }

  /** The same answer, synchronously, for this node only (the cluster directory adds the other nodes). */
  reachHere(tenantKey: string, userId: string): Reach {
    const links = this.presence.connectionsOf(tenantKey, userId);
    return { online: links.length > 0, busy: this.rooms.roomOfUser(tenantKey, userId) !== undefined, links };
  }
}
