import { ServiceError } from '../errors';
import type { PeerMediaEvents, PeerMediaPort, RoomMediaEvents, RoomMediaPort } from './media-port';

/** A participant's media events go to its link (a session that survives reconnections). */
function peerEvents(link: ClientLink): PeerMediaEvents {
  return { onConsumerClosed: (consumerId, producerId) => link.notify('media.consumerClosed', { consumerId, producerId }) };
}
import { type TenantRef, tenantRef } from './lifecycle';
import { type ClientLink, userKey } from './links';
import { type Participant, Room, type RoomKind } from './room';
import { RoomEvents, type SessionEndReason } from './room-events';
import { notifyClients } from './room-notifier';

/**
 * Where a participant's media is served: live rooms cascade — each viewer is served by the node its socket is
 * on, the stage's producers piped once to each such node — because their audience is what outgrows one node.
 * Calls and conferences stay on the room's node: all their participants publish, so cascading would add a
 * hop and a node that can fail to every path and save no forwarding.
 */
function servedBy(kind: RoomKind, link: ClientLink): string | undefined {
  return kind === 'live' ? link.node : undefined;
}

export type { Participant, RoomKind } from './room';

export const ROOM_KINDS: readonly RoomKind[] = ['call', 'live', 'conference'];
/** Rooms are keyed by tenant, kind and id: each kind has its own ids. */
const roomKey = (tenantKey: string, kind: RoomKind, roomId: string): string => `${tenantKey}\u0000${kind}\u0000${roomId}`;
export { Room } from './room';

/** Creates a room's media for a tenant (whose transport budget its participants draw on). */
export type MediaFactory = (tenantKey: string, events: RoomMediaEvents) => Promise<RoomMediaPort>;

export interface JoinOptions {
  /** Whether the participant intends to publish video (counts against the room's video limit). */
  video?: boolean;
}

/**
 * All live rooms, per tenant. Enforces one room per user, creates a room (and its router) on first join —
 * serialized, so two concurrent first joins share one room — and closes it when the last one leaves.
 */
export class RoomRegistry {
  private readonly rooms = new Map<string, Room>();
  private readonly creating = new Map<string, Promise<Room>>();
  private readonly userRooms = new Map<string, Room>();
  /** Connection id → the call room it prepared media in while ringing. */
  private readonly prepared = new Map<string, { room: Room; link: ClientLink }>();
  /** Rooms created, joined, left, recovered, failed and ended: records, the cluster directory and logs subscribe. */
  readonly events = new RoomEvents();

  constructor(
    private readonly createMedia: MediaFactory,
    /** How long a room whose worker died waits for a live worker before it fails. */
    private readonly mediaRecoveryTimeoutMs = 10_000,
  ) {
    // Clients first: they hear of a change before records and the cluster directory follow it.
    this.events.subscribe(notifyClients);
  }

  /**
   * The room with this id; each kind has its own ids (see `join`), so without `kind` the first of a call, a
   * live room and a conference with that id.
   */
  get(tenantKey: string, roomId: string, kind?: RoomKind): Room | undefined {
    if (kind) return this.rooms.get(roomKey(tenantKey, kind, roomId));
    for (const k of ROOM_KINDS) {
      const room = this.rooms.get(roomKey(tenantKey, k, roomId));
      if (room) return room;
    }
    return undefined;
  }

  /** The room `userId` of this tenant is in, if any (a ringing callee who is in one is busy). */
  roomOfUser(tenantKey: string, userId: string): Room | undefined {
    return this.userRooms.get(`${tenantKey}/${userId}`);
  }

  roomOf(link: ClientLink): Room | undefined {
    const room = this.userRooms.get(userKey(link.identity));
    return room?.participants.get(link.identity.userId)?.link === link ? room : undefined;
  }

  participantOf(link: ClientLink): { room: Room; participant: Participant } {
    const room = this.roomOf(link);
    const participant = room?.participants.get(link.identity.userId);
    if (!room || !participant) throw new ServiceError('not_in_room', 'join a room first');
    return { room, participant };
  }

  /** A ringing callee's connection prepares transports in the call's room before answering. */
  prepare(link: ClientLink, room: Room): void {
    if (room.closed) throw new ServiceError('invalid_state', 'the call has ended');
    room.media.preparePeer(link.id, link.identity.userId, peerEvents(link));
    this.prepared.set(link.id, { room, link });
  }

  /** Drops what `link` prepared (its ring ended without it joining); idempotent. */
  discardPrepared(link: ClientLink): void {
    const entry = this.prepared.get(link.id);
    this.prepared.delete(link.id);
    entry?.room.media.discardPrepared(link.id);
  }

  /**
   * The media a transport-level request acts on: the participant's, or a ringing callee's prepared media.
   * Producing and consuming still require `participantOf` (being in the room).
   */
  transportMediaOf(link: ClientLink): PeerMediaPort {
    const room = this.roomOf(link);
    const inRoom = room?.participants.get(link.identity.userId);
    if (inRoom) return inRoom.media;
    const prepared = this.prepared.get(link.id)?.room.media.preparedPeer(link.id);
    if (prepared) return prepared;
    throw new ServiceError('not_in_room', 'join a room first');
  }

  hasPrepared(link: ClientLink): boolean {
    return this.prepared.has(link.id);
  }

  /** Connections holding prepared (ringing) media. */
  get preparedCount(): number {
    return this.prepared.size;
  }

  get size(): number {
    return this.rooms.size;
  }

  all(): Room[] {
    return [...this.rooms.values()];
  }

  /** Everyone in every room of this node (what a cluster places new rooms by). */
  get participantCount(): number {
    let n = 0;
    for (const room of this.rooms.values()) n += room.participants.size;
    return n;
  }

  async join(link: ClientLink, roomId: string, kind: RoomKind, options: JoinOptions = {}): Promise<{ room: Room; participant: Participant }> {
    const { identity } = link;
    const uKey = userKey(identity);
    if (this.userRooms.has(uKey)) throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    // Each kind has its own room ids, so nobody can take an id's kind from its host by joining first: the
    // live room "launch" and a conference "launch" are two rooms. A live room only opens with a host.
    const key = roomKey(identity.tenant.key, kind, roomId);
    if (kind === 'live' && !identity.grants.roomAdmin && !this.rooms.has(key) && !this.creating.has(key)) {
      throw new ServiceError('not_found', `the live room ${roomId} has not started: it opens when a host joins`);
    }
    const room = await this.getOrCreate(key, tenantRef(identity.tenant), roomId, kind);
    // Re-check after the await: another connection of the same user may have joined meanwhile.
    if (this.userRooms.has(uKey)) {
      if (room.participants.size === 0) this.closeRoom(room);
      throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    }
    let participant: Participant;
    try {
      participant = room.admit(link, options.video !== false, identity.tenant.settings.limits);
    } catch (error) {
      if (room.participants.size === 0) this.closeRoom(room);
      throw error;
    }
    this.prepared.delete(link.id);
    this.userRooms.set(uKey, room);
    return { room, participant };
  }

  /** Removes the link's user from its room; idempotent. Returns the room it left. */
  leave(link: ClientLink): Room | undefined {
    const room = this.roomOf(link);
    if (!room) return undefined;
    this.userRooms.delete(userKey(link.identity));
    room.leave(link.identity.userId);
    if (room.participants.size === 0) this.closeRoom(room);
    return room;
  }

  private async getOrCreate(key: string, tenant: TenantRef, roomId: string, kind: RoomKind): Promise<Room> {
    const existing = this.rooms.get(key);
    if (existing) return existing;
    const pending = this.creating.get(key);
    if (pending) return pending;
    const created = (async () => {
      const holder: { room?: Room } = {};
      const media = await this.createMedia(tenant.key, this.mediaEvents(holder));
      const room = new Room(tenant, roomId, kind, media, (m, link, connectionId) => m.addPeer(link.identity.userId, peerEvents(link), connectionId, servedBy(kind, link)), (e) => this.events.emit(e));
      holder.room = room;
      this.rooms.set(key, room);
      this.events.emit({ type: 'created', room });
      return room;
    })();
    this.creating.set(key, created);
    try {
      return await created;
    } catch (error) {
      throw new ServiceError('media_error', `could not create the room's media: ${(error as Error).message}`);
    } finally {
      this.creating.delete(key);
    }
  }

  private mediaEvents(holder: { room?: Room }): RoomMediaEvents {
    return {
      onRouterClosed: () => holder.room && void this.recoverRoom(holder.room),
      onActiveSpeaker: (userId) => holder.room?.speaking(userId),
    };
  }

  /**
   * The room's worker died: recreate its media on a live worker (another one, or the respawned one) and tell
   * everyone in it — and anyone preparing to answer — to set their media up again. Same room, same session,
   * same call; users see a short freeze. Gives up (the room fails) if no worker is available in time.
   */
  private async recoverRoom(room: Room): Promise<void> {
    const started = Date.now();
    while (!room.closed) {
      try {
        const media = await this.createMedia(room.tenantKey, this.mediaEvents({ room }));
        if (room.closed) return media.close();
        const preparing = [...this.prepared.values()].filter((e) => e.room === room);
        for (const e of preparing) this.prepared.delete(e.link.id);
        room.mediaMoved(media, preparing.map((e) => e.link), Date.now() - started);
        return;
      } catch {
        if (Date.now() - started > this.mediaRecoveryTimeoutMs) return this.failRoom(room);
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }

  private failRoom(room: Room): void {
    if (room.closed) return;
    const participants = room.fail();
    for (const p of participants) this.userRooms.delete(userKey(p.link.identity));
    this.closeRoom(room, 'failed');
    this.events.emit({ type: 'failed', room, participants });
  }

  private closeRoom(room: Room, reason: SessionEndReason = 'all_left'): void {
    if (room.closed) return;
    for (const [linkId, e] of this.prepared) if (e.room === room) this.prepared.delete(linkId);
    this.rooms.delete(roomKey(room.tenantKey, room.kind, room.roomId));
    room.close(reason);
  }

  /** Closes every room (server shutdown). */
  closeAll(): void {
    for (const room of [...this.rooms.values()]) this.closeRoom(room, 'shutdown');
    this.userRooms.clear();
  }
}
