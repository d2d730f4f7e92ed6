import type { ClientLink } from '../domain/links';
import { describeRoom, type RoomDescription } from '../domain/room-description';
import { ROOM_KINDS, type RoomKind, type RoomRegistry } from '../domain/rooms';
import type { ClusterDirectory, RoomRef } from '../cluster/directory';
import { type ClusterRelay, clusterCallKey, clusterRoomKey } from '../cluster/relay';
import type { AdoptableSession, LocalHandler, Topology } from './topology';

/**
 * A node of a cluster (REDIS_URL): each call and room has a home node recorded in the shared directory;
 * requests are relayed there (ClusterRelay), sessions are recorded so another node can continue them, and a
 * live room is described by its home whichever node the backend asks.
 */
export class ClusterTopology implements Topology {
  readonly kind = 'cluster';

  constructor(
    private readonly relay: ClusterRelay,
    private readonly directory: ClusterDirectory,
    private readonly rooms: RoomRegistry,
  ) {}

  dispatch: Topology['dispatch'] = (link, request) => this.relay.dispatch(link, request);

  serveLocally(handler: LocalHandler): void {
    this.relay.setLocalHandler(handler);
  }

  async adoptable(resumeToken: string, identity: Parameters<Topology['adoptable']>[1]): Promise<AdoptableSession | undefined> {
    const record = await this.relay.adoptable(resumeToken, identity);
    return record && { linkId: record.linkId, adopt: (link) => this.relay.adopted(link, record) };
  }

  sessionOpened(link: ClientLink, resumeToken: string): void {
    this.relay.sessionOpened(link, resumeToken);
  }

  connectionChanged(link: ClientLink, connected: boolean): void {
    this.relay.connectionChanged(link, connected);
  }

  clientGone(link: ClientLink, lost: boolean): void {
    this.relay.clientGone(link, lost);
  }

  heldElsewhere(link: ClientLink): boolean {
    return this.relay.attachedElsewhere(link);
  }

  isLive(node: string): boolean {
    return this.relay.isLive(node);
  }

  get connected(): boolean {
    return this.relay.busConnected;
  }

  /** Here if this node holds it, else asked of its home (a call's room is homed by its CallID). */
  async describeRoom(tenantKey: string, roomId: string, kind?: RoomKind): Promise<RoomDescription | undefined> {
    const local = this.rooms.get(tenantKey, roomId, kind);
    if (local) return describeRoom(local);
    for (const k of kind ? [kind] : ROOM_KINDS) {
      const home = await this.directory.homeOf(k === 'call' ? 'call' : 'room', k === 'call' ? clusterCallKey(tenantKey, roomId) : clusterRoomKey(tenantKey, k, roomId));
      if (!home || home === this.relay.nodeId || !this.relay.isLive(home)) continue;
      const found = (await this.relay.describeOn(home, tenantKey, { roomId, kind: k })) as RoomDescription | null;
      if (found) return found;
    }
    return undefined;
  }

  /** What `describeRoom` asks of this node when it is the home. */
  static describeLocal(rooms: RoomRegistry, tenantKey: string, room: RoomRef): RoomDescription | undefined {
    const found = rooms.get(tenantKey, room.roomId, room.kind);
    return found && describeRoom(found);
  }
}
