import type { ClientLink } from '../domain/links';
import type { Identity } from '../domain/tokens';
import type { ClusterDirectory, RoomRef, SessionRecord } from './directory';

interface Place {
  link: ClientLink;
  token?: string;
  /** The node whose room the client is in, when not this one. */
  attached?: string;
  room?: RoomRef;
}

/**
 * Where each local client is in the cluster — its session's resume token, the node holding its room and which
 * room — mirrored into the directory as a SessionRecord, so that if this node dies another node can continue
 * the session (adopt it) and the room (recover it).
 */
export class ClusterSessions {
  private readonly places = new Map<string, Place>();

  constructor(
    private readonly directory: ClusterDirectory,
    private readonly node: string,
    private readonly graceMs: number,
    private readonly log: (message: string, err?: unknown) => void,
  ) {}

  opened(link: ClientLink, token: string): void {
    this.placeOf(link).token = token;
    this.save(link.id);
  }

  ended(link: ClientLink): void {
    const token = this.places.get(link.id)?.token;
    this.places.delete(link.id);
    if (token) void this.directory.dropSession(token).catch((err) => this.log('could not drop a session record', err));
  }

  attachedNode(linkId: string): string | undefined {
    return this.places.get(linkId)?.attached;
  }

  roomOf(linkId: string): RoomRef | undefined {
    return this.places.get(linkId)?.room;
  }

  /** The client entered `room` on `node` (undefined: this node), or left its room (`room` undefined). */
  entered(link: ClientLink, node: string | undefined, room: RoomRef | undefined): void {
    const place = this.placeOf(link);
    if (place.attached === node && place.room?.roomId === room?.roomId && place.room?.kind === room?.kind) return;
    if (node) place.attached = node;
    else delete place.attached;
    if (room) place.room = room;
    else delete place.room;
    this.save(link.id);
  }

  /** Local clients whose room is on `node`. */
  attachedTo(node: string): ClientLink[] {
    return [...this.places.values()].filter((p) => p.attached === node).map((p) => p.link);
  }

  /**
   * The record of a resume token this node does not know, if its session may be continued here: same app
   * environment and user, and its node dead — `isAlive` is asked first (a live node keeps its sessions).
   */
  async adoptable(token: string, identity: Identity, isAlive: (node: string) => Promise<boolean>): Promise<SessionRecord | undefined> {
    const record = await this.directory.sessionOf(token).catch(() => undefined);
    if (!record || record.node === this.node || record.tenantKey !== identity.tenant.key || record.userId !== identity.userId) return undefined;
    if (await isAlive(record.node)) return undefined;
    await this.directory.dropSession(token).catch(() => undefined);
    return record;
  }

  private placeOf(link: ClientLink): Place {
    let place = this.places.get(link.id);
    if (!place) this.places.set(link.id, (place = { link }));
    return place;
  }

  private save(linkId: string): void {
    const place = this.places.get(linkId);
    if (!place?.token) return;
    const { link } = place;
    const record: SessionRecord = {
      linkId,
      node: this.node,
      tenantKey: link.identity.tenant.key,
      userId: link.identity.userId,
      ...(place.attached ? { attached: place.attached } : {}),
      ...(place.room ? { room: place.room } : {}),
    };
    // Kept while the token is valid plus the grace a dropped client has to come back.
    const ttl = Math.max(60_000, link.identity.expiresAt - Date.now() + this.graceMs);
    void this.directory.saveSession(place.token, record, ttl).catch((err) => this.log('could not save a session record', err));
  }
}
