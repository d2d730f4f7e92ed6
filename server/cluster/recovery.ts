import type { CallSnapshot } from '../domain/call-snapshot';
import type { ClientLink } from '../domain/links';
import type { Room, RoomRegistry } from '../domain/rooms';
import { ServiceError } from '../errors';
import type { ClusterDirectory, RoomRef } from './directory';

export interface RoomRecoveryOptions {
  node: string;
  directory: ClusterDirectory;
  rooms: RoomRegistry;
  /** CallService.rejoin: the call continued from its snapshot, `link` back in its (new) room. */
  rejoinCall(link: ClientLink, snapshot: CallSnapshot): Promise<Room>;
  /** Where a room goes (least-loaded live node), and whether a node is alive. */
  place(): string;
  isLive(node: string): boolean;
  /** Runs `recoverHere` for `link` on `node` (over the bus). */
  recoverOn(node: string, link: ClientLink, room: RoomRef): Promise<void>;
  /** The client's room and media requests go to `node` from now on (undefined: this node). */
  attach(link: ClientLink, node: string | undefined, room: RoomRef): void;
  log(message: string, err?: unknown): void;
}

export const clusterRoomKey = (tenantKey: string, kind: string, roomId: string) => `${tenantKey}\u0000${kind}\u0000${roomId}`;
export const clusterCallKey = (tenantKey: string, callId: string) => `${tenantKey}\u0000${callId}`;

/**
 * A room whose node died, continued on a live one. Every client that was in it comes back to it on its own —
 * those on live nodes when their node sees the room's node stop beating, those that were on the dead node when
 * another node adopts their session — and the first one's claim places the room again. Each client is told to
 * rebuild its media there (`media.reset`, then the producers already there), as when a media worker dies.
 */
export class RoomRecovery {
  constructor(private readonly o: RoomRecoveryOptions) {}

  /** Edge side: puts the client back into `room` on the room's new node. */
  async recover(link: ClientLink, room: RoomRef): Promise<void> {
    const key = clusterRoomKey(link.identity.tenant.key, room.kind, room.roomId);
    const { directory } = this.o;
    try {
      let home = await directory.claim('room', key, this.o.place());
      if (!this.o.isLive(home)) {
        await directory.release('room', key, home);
        home = await directory.claim('room', key, this.o.place());
      }
      if (home === this.o.node) await this.recoverHere(link, room);
      else await this.o.recoverOn(home, link, room);
      this.o.attach(link, home === this.o.node ? undefined : home, room);
    } catch (err) {
      // The room cannot go on (a call that already ended, a live room whose host is gone): the client hears it.
      this.o.log(`could not continue room ${room.roomId} after its node died`, err);
      if (room.kind === 'call') link.notify('call.ended', { callId: room.roomId, reason: 'failed', durationMs: 0 });
      else link.notify('room.closed', { roomId: room.roomId, reason: 'failed' });
    }
  }

  /** Home side: `link` rejoins `room` here (a call from its snapshot) and rebuilds its media. */
  async recoverHere(link: ClientLink, room: RoomRef): Promise<void> {
    const { tenant, userId } = link.identity;
    let joined: Room;
    if (room.kind === 'call') {
      const key = clusterCallKey(tenant.key, room.roomId);
      const snapshot = await this.o.directory.callOf(key);
      if (!snapshot) throw new ServiceError('not_found', 'the call has ended');
      await this.o.directory.assign('call', key, this.o.node);
      joined = await this.o.rejoinCall(link, snapshot);
    } else {
      joined = this.o.rooms.roomOf(link) ?? (await this.o.rooms.join(link, room.roomId, room.kind)).room;
    }
    link.notify('media.reset', { routerRtpCapabilities: joined.media.rtpCapabilities });
    for (const producer of joined.media.producers(userId)) link.notify('media.producerAdded', { producer });
  }
}
