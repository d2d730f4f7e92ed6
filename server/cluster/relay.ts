import type { ClientRequestType } from '../../protocol';
import { type ClientRequest, REQUEST_ROUTING } from '../../protocol/client-messages';
import type { AppRegistry } from '../domain/apps';
import type { CallSnapshot } from '../domain/call-snapshot';
import type { ClientLink } from '../domain/links';
import type { Room, RoomRegistry } from '../domain/rooms';
import type { Identity } from '../domain/tokens';
import { ServiceError } from '../errors';
import { assertNever } from '../domain/assert';
import type { EdgeChannel, EdgeEvent, EdgeRequest } from '../media/edge-protocol';
import type { BusMessage, NodeBus } from './bus';
import { BusRpc } from './bus-rpc';
import { type ClusterDirectory, type LinkRef, type Liveness, type RoomRef, type SessionRecord, judgeLiveness, placeOn } from './directory';
import { RoomRecovery, clusterCallKey, clusterRoomKey } from './recovery';
import { RemoteLink, RemoteLinks, refOf } from './remote-link';
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
  node: string;
  directory: ClusterDirectory;
  bus: NodeBus;
  apps: AppRegistry;
  rooms: RoomRegistry;
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
  private media: { handle(request: EdgeRequest): Promise<unknown>; event(event: EdgeEvent): void } | undefined;
  private readonly rpc: BusRpc;
  private readonly sessions: ClusterSessions;
  private readonly remotes: RemoteLinks;
  private readonly recovery: RoomRecovery;
  /** Live nodes as of the last heartbeat, plus suspects: missing, but not yet long enough to be dead. */
  private liveness: Liveness = { nodes: [], suspects: new Map(), dead: [] };
  private lastFailedBeat = 0;
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ClusterRelayOptions) {
    this.rpc = new BusRpc(o.bus, o.node);
    this.sessions = new ClusterSessions(o.directory, o.node, o.graceMs, o.log);
    this.remotes = new RemoteLinks((key) => o.apps.byKeyOf(key), (node, linkId, notification) => this.send(node, { t: 'notify', linkId, notification }), o.graceMs, (link) => this.forgetRemote(link, true));
    this.recovery = new RoomRecovery({
      node: o.node,
      directory: o.directory,
      rooms: o.rooms,
      rejoinCall: o.rejoinCall,
      place: () => placeOn(this.liveness.nodes, o.node),
      isLive: (node) => this.isLive(node),
      recoverOn: async (node, link, room) => void (await this.rpc.call(node, (id) => ({ t: 'recover', id, from: o.node, link: refOf(link, o.node), room }))),
      attach: (link, node, room) => this.sessions.entered(link, node, room),
      log: o.log,
    });
    o.bus.onMessage((message) => void this.onBus(message));
  }

  get nodeId(): string {
    return this.o.node;
  }

  setLocalHandler(handler: LocalHandler): void {
    this.local = handler;
  }

  /** Where cascading requests and events from other nodes go (this node's MediaCascade). */
  setMediaHandler(handler: { handle(request: EdgeRequest): Promise<unknown>; event(event: EdgeEvent): void }): void {
    this.media = handler;
  }

  /** How this node's rooms reach the nodes serving some of their participants, and how edges answer homes. */
  mediaChannel(): EdgeChannel {
    return {
      request: (node, request) => this.rpc.call(node, (id) => ({ t: 'media', id, from: this.o.node, request })),
      notify: (home, event) => this.send(home, { t: 'mediaEvent', event }),
    };
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
    this.timers.push(setInterval(() => this.remotes.sweep((l) => this.o.rooms.roomOf(l) !== undefined || this.o.rooms.hasPrepared(l)), 60_000).unref());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.rpc.close();
    this.remotes.close();
    await this.o.directory.leave(this.o.node).catch((err) => this.o.log('could not leave the cluster directory', err));
    await Promise.all([this.o.bus.close(), this.o.directory.close()]);
  }

  /** Asks `node` to describe its live room (undefined when it holds none by that id). */
  describeOn(node: string, tenantKey: string, room: RoomRef): Promise<unknown> {
    return this.rpc.call(node, (id) => ({ t: 'describeRoom', id, from: this.o.node, tenantKey, room }));
  }

  /** Whether this node reaches the cluster's bus right now (operators: /status; tests: wait for a reconnect). */
  get busConnected(): boolean {
    return this.o.bus.connected;
  }

  /** Live node ids as of the last heartbeat (this node always counts). */
  isLive(node: string): boolean {
    return node === this.o.node || this.liveness.nodes.some((n) => n.id === node);
  }

  /** The client's request: run here, or on the node holding its call or room. */
  async dispatch(link: ClientLink, request: ClientRequest): Promise<unknown> {
    const target = await this.targetOf(link, request).catch((err: unknown) => {
      if (err instanceof ServiceError) throw err;
      throw new ServiceError('cluster_unavailable', 'the cluster directory cannot be reached; try again in a moment');
    });
    const here = target === this.o.node;
    const value = here ? await this.local(link, request) : await this.rpc.call(target, (id) => ({ t: 'request', id, from: this.o.node, link: refOf(link, this.o.node), request }));
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
    return this.sessions.adoptable(resumeToken, identity, async (node) => this.isLive(node) && (await this.rpc.probe(node)));
  }

  /**
   * The adopted session runs here now. Its room on a live node sends its notifications here; a room that was
   * on the dead node itself is continued on a live one.
   */
  adopted(link: ClientLink, record: SessionRecord): void {
    if (record.attached && this.isLive(record.attached)) {
      this.sessions.entered(link, record.attached, record.room);
      this.send(record.attached, { t: 'rebind', link: refOf(link, this.o.node) });
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
    if (node) this.send(node, { t: 'gone', link: refOf(link, this.o.node), lost });
  }

  /** The local client's connection dropped or came back: the others in its room see it. */
  connectionChanged(link: ClientLink, connected: boolean): void {
    const node = this.sessions.attachedNode(link.id);
    if (node) this.send(node, { t: 'connection', link: refOf(link, this.o.node), connected });
  }

  /** A connection on another node, as a ClientLink of this one (one object per connection). */
  remoteLink(ref: LinkRef): RemoteLink | undefined {
    return this.remotes.of(ref);
  }

  /**
   * A participant left a room here: a relayed one's node stops relaying its room requests here; a local one
   * has no room to be continued anymore.
   */
  participantLeft(link: ClientLink): void {
    if (link instanceof RemoteLink) this.send(link.node, { t: 'left', linkId: link.id, from: this.o.node });
    else if (!this.sessions.attachedNode(link.id)) this.sessions.entered(link, undefined, undefined);
  }

  private async targetOf(link: ClientLink, request: ClientRequest): Promise<string> {
    const { tenant } = link.identity;
    const self = this.o.node;
    const routedBy = REQUEST_ROUTING[request.type];
    switch (routedBy) {
      case 'here':
        return self;
      case 'new-call':
        return this.freeTarget(link, placeOn(this.liveness.nodes, self));
      case 'call': {
        const home = await this.o.directory.homeOf('call', clusterCallKey(tenant.key, (request as { callId: string }).callId));
        // Unknown or on a dead node: answered here (not_found, or "already ended" for a call this node held).
        if (!home || !this.isLive(home)) return self;
        return request.type === 'call.accept' ? this.freeTarget(link, home) : home;
      }
      case 'named-room': {
        const { roomId, kind } = request as { roomId: string; kind?: RoomRef['kind'] };
        const key = clusterRoomKey(tenant.key, kind ?? 'conference', roomId);
        let home = await this.o.directory.claim('room', key, placeOn(this.liveness.nodes, self));
        if (!this.isLive(home)) {
          // Its node died: the room starts again on a live one.
          await this.o.directory.release('room', key, home);
          home = await this.o.directory.claim('room', key, placeOn(this.liveness.nodes, self));
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
    this.o.bus.send(node, message).catch((err) => this.o.log(`could not send ${message.t} to node ${node}`, err));
  }

  private forgetRemote(link: RemoteLink, lost: boolean): void {
    this.remotes.forget(link.id);
    this.o.rooms.discardPrepared(link);
    this.o.leaveRoom(link, lost);
  }

  private async onBus(message: BusMessage): Promise<void> {
    switch (message.t) {
      case 'request':
      case 'recover':
        return this.answer(message);
      case 'reply':
        return this.rpc.replied(message);
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
        return this.rpc.ponged(message.id);
      case 'rebind':
        return this.remotes.rebind(message.link);
      case 'gone': {
        const link = this.remotes.get(message.link.id);
        if (link) this.forgetRemote(link, message.lost);
        return;
      }
      case 'media':
        return this.answerMedia(message);
      case 'mediaEvent':
        return this.media?.event(message.event);
      case 'describeRoom':
        return this.send(message.from, { t: 'reply', id: message.id, ok: true, value: this.o.describeLocal(message.tenantKey, message.room) ?? null });
      case 'connection': {
        const link = this.remotes.get(message.link.id);
        if (!link) return;
        this.o.rooms.roomOf(link)?.broadcast('room.participantConnection', { userId: link.identity.userId, connected: message.connected }, link.identity.userId);
        return;
      }
      default:
        this.o.log(`dropped an unknown bus message ${(message as { t?: unknown }).t}`);
    }
  }

  /** Runs a relayed request (or a room recovery) for the RemoteLink of its client and replies. */
  private async answer(message: Extract<BusMessage, { t: 'request' | 'recover' }>): Promise<void> {
    const reply = (m: { ok: true; value: unknown } | { ok: false; code: string; message: string }) => this.send(message.from, { t: 'reply', id: message.id, ...m });
    const link = this.remotes.of(message.link);
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
    if (!this.media) return reply({ ok: false, code: 'media_error', message: 'this node does not serve media for other nodes' });
    try {
      reply({ ok: true, value: await this.media.handle(message.request) });
    } catch (err) {
      if (err instanceof ServiceError) return reply({ ok: false, code: err.code, message: err.message });
      this.o.log(`cascaded media ${message.request.op} failed`, err);
      reply({ ok: false, code: 'media_error', message: (err as Error).message || 'media request failed' });
    }
  }

  /** Publishes this node's load (its key lives 2.5 beats) and judges who else is alive (judgeLiveness). */
  private async beat(): Promise<void> {
    const { directory, node, heartbeatMs } = this.o;
    await directory.heartbeat({ id: node, load: this.o.load(), draining: this.o.draining() }, heartbeatMs * 2.5);
    this.liveness = judgeLiveness(this.liveness, await directory.liveNodes(), Date.now(), this.lastFailedBeat, heartbeatMs);
    for (const id of this.liveness.dead) this.nodeDied(id);
  }

  /**
   * A node stopped beating. Its clients in rooms here get the grace period to come back through another node
   * (which adopts their sessions and rebinds them); local clients whose room it held are put back into that
   * room on a live node.
   */
  private nodeDied(node: string): void {
    this.o.log(`cluster node ${node} stopped beating: its clients have ${Math.round(this.o.graceMs / 1000)} s to come back through another node`);
    this.remotes.nodeDied(node);
    const lowest = [this.o.node, ...this.liveness.nodes.map((n) => n.id)].filter((id) => id !== node).sort()[0];
    this.o.onNodeDied?.(node, lowest === this.o.node);
    for (const link of this.sessions.attachedTo(node)) {
      const room = this.sessions.roomOf(link.id);
      if (room) void this.recovery.recover(link, room);
    }
  }
}
