import type { ClientRequestType } from '../../protocol';
import { type ClientRequest, REQUEST_ROUTING } from '../../protocol/client-messages';
import type { CallSnapshot } from '../domain/call-snapshot';
import type { ClientLink } from '../domain/links';
import type { Room, RoomRegistry } from '../domain/rooms';
import type { Identity } from '../domain/tokens';
import { ServiceError } from '../errors';
import { assertNever } from '../domain/assert';
import type { EdgeEvent, EdgeRequest } from '../media/edge-protocol';
import type { BusMessage } from './bus';
import type { NodeLink } from './node-link';
import { type ClusterDirectory, type RoomRef, type SessionRecord, judgeLiveness } from './directory';
import { RoomRecovery, clusterCallKey, clusterRoomKey } from './recovery';
import { RemoteLink, type RemoteLinks, refOf } from './remote-link';
import { ClusterSessions } from './sessions';

export { clusterCallKey, clusterRoomKey } from './recovery';

export type { ClientRequest } from '../../protocol/client-messages';
/** Runs a request on this node (signaling's handler table). */
export type LocalHandler = (link: ClientLink, request: ClientRequest) => Promise<unknown>;

/** Requests after which the connection's room and media requests go to the node that answered. */
const ENTERS_ROOM = new Set<ClientRequestType>(['room.join', 'call.dial', 'call.accept', 'call.prepare']);
/** The room a successful room.join / call.dial / call.accept put the client in (call.prepare: none yet). */
function enteredRoom(request: ClientRequest, value: unknown): RoomRef | undefined {
  const room = (request.type === 'room.join' ? value : (value as { room?: unknown }).room) as { roomId?: string; kind?: RoomRef['kind'] } | undefined;
  return room?.roomId && room.kind ? { roomId: room.roomId, kind: room.kind } : undefined;
}

export interface ClusterRelayOptions {
  link: NodeLink;
  directory: ClusterDirectory;
  /** Connections of other nodes as ClientLinks of this one (ringing and room members). */
  remotes: RemoteLinks;
  rooms: RoomRegistry;
  /** Cascading: what other nodes ask of this node's media, and what they tell it (MediaCascade). */
  media: { handle(request: EdgeRequest): Promise<unknown>; event(event: EdgeEvent): void };
  /** The one way out of a room (CallService.leaveRoom): a relayed client that is gone leaves through it. */
  leaveRoom(link: ClientLink, lost: boolean): void;
  /** CallService.rejoin: continues a call whose node died. */
  rejoinCall(link: ClientLink, snapshot: CallSnapshot): Promise<Room>;
  /** Local sessions by connection id (relayed notifications are delivered to them). */
  localLink(id: string): ClientLink | undefined;
  heartbeatMs: number;
  /** How long a client whose node died may take to come back through another node before it leaves its room. */
  graceMs: number;
  load(): number;
  draining(): boolean;
  /** A room of this node as the REST API shows it (another node asks on behalf of a backend). */
  describeLocal(tenantKey: string, room: RoomRef): unknown;
  /** A node was declared dead; `sweeper` is true on exactly one live node (the lowest id), which tidies after it. */
  onNodeDied?(node: string, sweeper: boolean): void;
  log(message: string, err?: unknown): void;
}

/**
 * One node of a cluster. Any node accepts any client; each call and room lives on one node (its home, recorded
 * in the directory). A request about a call or room whose home is another node is relayed there over the bus
 * and runs there for a RemoteLink standing for the client; the home's notifications travel back the same way.
 * Media goes straight between the browser and the home node (its ICE candidates are the home's).
 */
export class ClusterRelay {
  private local: LocalHandler = async () => {
    throw new ServiceError('internal', 'the relay has no local handler');
  };
  private readonly sessions: ClusterSessions;
  private readonly recovery: RoomRecovery;
  private lastFailedBeat = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ClusterRelayOptions) {
    const { link } = o;
    this.sessions = new ClusterSessions(o.directory, link.self, o.graceMs, o.log);
    o.remotes.onLost((remote) => this.forgetRemote(remote, true));
    this.recovery = new RoomRecovery({
      node: link.self,
      directory: o.directory,
      rooms: o.rooms,
      rejoinCall: o.rejoinCall,
      place: () => link.place(),
      isLive: (node) => link.isLive(node),
      recoverOn: async (node, client, room) => void (await link.rpc.call(node, (id) => ({ t: 'recover', id, from: link.self, link: refOf(client, link.self), room }))),
      attach: (client, node, room) => this.sessions.entered(client, node, room),
      log: o.log,
    });
    link.bus.onMessage((message) => void this.onBus(message));
  }

  get nodeId(): string {
    return this.o.link.self;
  }

  setLocalHandler(handler: LocalHandler): void {
    this.local = handler;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timers.push(
      setInterval(() => {
        this.beat().catch((err) => {
          this.lastFailedBeat = Date.now();
          this.o.log('cluster heartbeat failed', err);
        });
      }, this.o.heartbeatMs).unref(),
    );
    this.timers.push(setInterval(() => this.o.remotes.sweep((l) => this.o.rooms.roomOf(l) !== undefined || this.o.rooms.hasPrepared(l)), 60_000).unref());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.o.link.rpc.close();
    this.o.remotes.close();
    await this.o.directory.leave(this.o.link.self).catch((err) => this.o.log('could not leave the cluster directory', err));
  }

  /** Asks `node` to describe its live room (undefined when it holds none by that id). */
  describeOn(node: string, tenantKey: string, room: RoomRef): Promise<unknown> {
    return this.o.link.rpc.call(node, (id) => ({ t: 'describeRoom', id, from: this.o.link.self, tenantKey, room }));
  }

  /** Whether this node reaches the cluster's bus right now (operators: /status; tests: wait for a reconnect). */
  get busConnected(): boolean {
    return this.o.link.bus.connected;
  }

  /** Live node ids as of the last heartbeat (this node always counts). */
  isLive(node: string): boolean {
    return this.o.link.isLive(node);
  }

  /** The client's request: run here, or on the node holding its call or room. */
  async dispatch(link: ClientLink, request: ClientRequest): Promise<unknown> {
    const target = await this.targetOf(link, request).catch((err: unknown) => {
      if (err instanceof ServiceError) throw err;
      throw new ServiceError('cluster_unavailable', 'the cluster directory cannot be reached; try again in a moment');
    });
    const { self, rpc } = this.o.link;
    const here = target === self;
    const value = here ? await this.local(link, request) : await rpc.call(target, (id) => ({ t: 'request', id, from: self, link: refOf(link, self), request }));
    if (ENTERS_ROOM.has(request.type)) this.sessions.entered(link, here ? undefined : target, enteredRoom(request, value) ?? this.sessions.roomOf(link.id));
    return value;
  }

  /** A new local session: recorded so that another node can continue it if this one dies. */
  sessionOpened(link: ClientLink, resumeToken: string): void {
    this.sessions.opened(link, resumeToken);
  }

  /**
   * A resume token this node does not know: the session of a node that died (kill -9, power loss) can be
   * continued here — same connection id, so the room that holds it keeps it. Only when its node is dead or does
   * not answer a probe: a live node keeps its own sessions.
   */
  adoptable(resumeToken: string, identity: Identity): Promise<SessionRecord | undefined> {
    return this.sessions.adoptable(resumeToken, identity, async (node) => this.isLive(node) && (await this.o.link.rpc.probe(node)));
  }

  /**
   * The adopted session runs here now. Its room on a live node sends its notifications here; a room that was
   * on the dead node itself is continued on a live one.
   */
  adopted(link: ClientLink, record: SessionRecord): void {
    if (record.attached && this.isLive(record.attached)) {
      this.sessions.entered(link, record.attached, record.room);
      this.send(record.attached, { t: 'rebind', link: refOf(link, this.o.link.self) });
    } else if (record.room) {
      void this.recovery.recover(link, record.room);
    }
  }

  /** Whether the client's room is on another node (a draining node must not move it away mid-call). */
  attachedElsewhere(link: ClientLink): boolean {
    return this.sessions.attachedNode(link.id) !== undefined;
  }

  /** The local client is gone for good: the node holding its room hears it (hang-up or connection_lost there). */
  clientGone(link: ClientLink, lost: boolean): void {
    const node = this.sessions.attachedNode(link.id);
    this.sessions.ended(link);
    if (node) this.send(node, { t: 'gone', link: refOf(link, this.o.link.self), lost });
  }

  /** The local client's connection dropped or came back: the others in its room see it. */
  connectionChanged(link: ClientLink, connected: boolean): void {
    const node = this.sessions.attachedNode(link.id);
    if (node) this.send(node, { t: 'connection', link: refOf(link, this.o.link.self), connected });
  }

  /**
   * A participant left a room here: a relayed one's node stops relaying its room requests here; a local one
   * has no room to be continued anymore.
   */
  participantLeft(link: ClientLink): void {
    if (link instanceof RemoteLink) this.send(link.node, { t: 'left', linkId: link.id, from: this.o.link.self });
    else if (!this.sessions.attachedNode(link.id)) this.sessions.entered(link, undefined, undefined);
  }

  private async targetOf(link: ClientLink, request: ClientRequest): Promise<string> {
    const { tenant } = link.identity;
    const self = this.o.link.self;
    const routedBy = REQUEST_ROUTING[request.type];
    switch (routedBy) {
      case 'here':
        return self;
      case 'new-call':
        return this.freeTarget(link, this.o.link.place());
      case 'call': {
        const home = await this.o.directory.homeOf('call', clusterCallKey(tenant.key, (request as { callId: string }).callId));
        // Unknown or on a dead node: answered here (not_found, or "already ended" for a call this node held).
        if (!home || !this.isLive(home)) return self;
        return request.type === 'call.accept' ? this.freeTarget(link, home) : home;
      }
      case 'named-room': {
        const { roomId, kind } = request as { roomId: string; kind?: RoomRef['kind'] };
        const key = clusterRoomKey(tenant.key, kind ?? 'conference', roomId);
        let home = await this.o.directory.claim('room', key, this.o.link.place());
        if (!this.isLive(home)) {
          // Its node died: the room starts again on a live one.
          await this.o.directory.release('room', key, home);
          home = await this.o.directory.claim('room', key, this.o.link.place());
        }
        return this.freeTarget(link, home);
      }
      case 'current-room':
        return this.sessions.attachedNode(link.id) ?? self;
      default:
        return assertNever(routedBy);
    }
  }

  /** One room per user, cluster-wide: entering a room on `target` while in one on another node is refused. */
  private async freeTarget(link: ClientLink, target: string): Promise<string> {
    const { tenant, userId } = link.identity;
    if (this.o.rooms.roomOfUser(tenant.key, userId)) throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    const inRoomOn = await this.o.directory.roomNodeOf(tenant.key, userId);
    if (inRoomOn && inRoomOn !== target && this.isLive(inRoomOn)) throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    return target;
  }

  private send(node: string, message: BusMessage): void {
    this.o.link.send(node, message);
  }

  private forgetRemote(link: RemoteLink, lost: boolean): void {
    this.o.remotes.forget(link.id);
    this.o.rooms.discardPrepared(link);
    this.o.leaveRoom(link, lost);
  }

  private async onBus(message: BusMessage): Promise<void> {
    switch (message.t) {
      case 'request':
      case 'recover':
        return this.answer(message);
      case 'reply':
        return this.o.link.rpc.replied(message);
      case 'notify': {
        const { type, ...payload } = message.notification;
        this.o.localLink(message.linkId)?.notify(type as never, payload as never);
        return;
      }
      case 'left': {
        const link = this.o.localLink(message.linkId);
        if (link && this.sessions.attachedNode(message.linkId) === message.from) this.sessions.entered(link, undefined, undefined);
        return;
      }
      case 'probe':
        return this.send(message.from, { t: 'pong', id: message.id });
      case 'pong':
        return this.o.link.rpc.ponged(message.id);
      case 'rebind':
        return this.o.remotes.rebind(message.link);
      case 'gone': {
        const link = this.o.remotes.get(message.link.id);
        if (link) this.forgetRemote(link, message.lost);
        return;
      }
      case 'media':
        return this.answerMedia(message);
      case 'mediaEvent':
        return this.o.media.event(message.event);
      case 'describeRoom':
        return this.send(message.from, { t: 'reply', id: message.id, ok: true, value: this.o.describeLocal(message.tenantKey, message.room) ?? null });
      case 'connection': {
        const link = this.o.remotes.get(message.link.id);
        if (!link) return;
        this.o.rooms.roomOf(link)?.connectionChanged(link.identity.userId, message.connected);
        return;
      }
      default:
        this.o.log(`dropped an unknown bus message ${(message as { t?: unknown }).t}`);
    }
  }

  /** Runs a relayed request (or a room recovery) for the RemoteLink of its client and replies. */
  private async answer(message: Extract<BusMessage, { t: 'request' | 'recover' }>): Promise<void> {
    const reply = (m: { ok: true; value: unknown } | { ok: false; code: string; message: string }) => this.send(message.from, { t: 'reply', id: message.id, ...m });
    const link = this.o.remotes.of(message.link);
    if (!link) return reply({ ok: false, code: 'unknown_app_key', message: 'this node does not know the app of this connection' });
    try {
      if (message.t === 'recover') reply({ ok: true, value: await this.recovery.recoverHere(link, message.room) });
      else reply({ ok: true, value: await this.local(link, message.request as ClientRequest) });
    } catch (err) {
      if (err instanceof ServiceError) return reply({ ok: false, code: err.code, message: err.message });
      this.o.log(`relayed ${message.t === 'recover' ? 'room recovery' : message.request.type} failed`, err);
      reply({ ok: false, code: 'internal', message: 'internal error' });
    }
  }

  private async answerMedia(message: Extract<BusMessage, { t: 'media' }>): Promise<void> {
    const reply = (m: { ok: true; value: unknown } | { ok: false; code: string; message: string }) => this.send(message.from, { t: 'reply', id: message.id, ...m });
    try {
      reply({ ok: true, value: await this.o.media.handle(message.request) });
    } catch (err) {
      if (err instanceof ServiceError) return reply({ ok: false, code: err.code, message: err.message });
      this.o.log(`cascaded media ${message.request.op} failed`, err);
      reply({ ok: false, code: 'media_error', message: (err as Error).message || 'media request failed' });
    }
  }

  /** Publishes this node's load (its key lives 2.5 beats) and judges who else is alive (judgeLiveness). */
  private async beat(): Promise<void> {
    const { directory, link, heartbeatMs } = this.o;
    await directory.heartbeat({ id: link.self, load: this.o.load(), draining: this.o.draining() }, heartbeatMs * 2.5);
    link.liveness = judgeLiveness(link.liveness, await directory.liveNodes(), Date.now(), this.lastFailedBeat, heartbeatMs);
    for (const id of link.liveness.dead) this.nodeDied(id);
  }

  /**
   * A node stopped beating. Its clients in rooms here get the grace period to come back through another node
   * (which adopts their sessions and rebinds them); local clients whose room it held are put back into that
   * room on a live node.
   */
  private nodeDied(node: string): void {
    this.o.log(`cluster node ${node} stopped beating: its clients have ${Math.round(this.o.graceMs / 1000)} s to come back through another node`);
    this.o.remotes.nodeDied(node);
    const { self, liveness } = this.o.link;
    const lowest = [self, ...liveness.nodes.map((n) => n.id)].filter((id) => id !== node).sort()[0];
    this.o.onNodeDied?.(node, lowest === self);
    for (const link of this.sessions.attachedTo(node)) {
      const room = this.sessions.roomOf(link.id);
      if (room) void this.recovery.recover(link, room);
    }
  }
}
