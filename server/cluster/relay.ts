import type { ClientRequestType, ErrorCode } from '../../protocol';
import { ERROR_CODES } from '../../protocol';
import type { ClientMessage } from '../../protocol/client-messages';
import type { AppRegistry } from '../domain/apps';
import type { ClientLink } from '../domain/links';
import type { RoomRegistry } from '../domain/rooms';
import { ServiceError } from '../errors';
import type { BusMessage, NodeBus } from './bus';
import type { Identity } from '../domain/tokens';
import { type ClusterDirectory, type LinkRef, type NodeInfo, type SessionRecord, placeOn } from './directory';
import { RemoteLink, refOf } from './remote-link';

export type ClientRequest = Exclude<ClientMessage, { type: 'hello' | 'session.renew' }>;
/** Runs a request on this node (signaling's handler table). */
export type LocalHandler = (link: ClientLink, request: ClientRequest) => Promise<unknown>;

/** Requests about a call, by its CallID: they run where the call lives. */
const CALL_REQUESTS = new Set<ClientRequestType>(['call.accept', 'call.decline', 'call.cancel', 'call.hangup', 'call.invite', 'call.prepare']);
/** Requests after which the connection's room and media requests go to the node that answered. */
const ENTERS_ROOM = new Set<ClientRequestType>(['room.join', 'call.dial', 'call.accept', 'call.prepare']);
/** Requests about the room the connection is in, or its media there. */
const inRoomRequest = (type: ClientRequestType) => (type.startsWith('room.') && type !== 'room.join') || type.startsWith('media.');

const REQUEST_TIMEOUT_MS = 10_000;
/** How long a node that looks alive may take to answer "are you alive?" before its session is adopted. */
const PROBE_TIMEOUT_MS = 1000;
/** Relayed clients not in a room here and idle this long are forgotten (a later request recreates them). */
const IDLE_LINK_MS = 120_000;

export interface ClusterRelayOptions {
  node: string;
  directory: ClusterDirectory;
  bus: NodeBus;
  apps: AppRegistry;
  rooms: RoomRegistry;
  /** The one way out of a room (CallService.leaveRoom): a relayed client that is gone leaves through it. */
  leaveRoom(link: ClientLink, lost: boolean): void;
  /** Local sessions by connection id (relayed notifications are delivered to them). */
  localLink(id: string): ClientLink | undefined;
  heartbeatMs: number;
  /** How long a client whose node died may take to come back through another node before it leaves its room. */
  graceMs: number;
  load(): number;
  draining(): boolean;
  log(message: string, err?: unknown): void;
}

/** The key of a room in the cluster directory (each kind has its own ids, as in RoomRegistry). */
export const clusterRoomKey = (tenantKey: string, kind: string, roomId: string) => `${tenantKey}\u0000${kind}\u0000${roomId}`;
export const clusterCallKey = (tenantKey: string, callId: string) => `${tenantKey}\u0000${callId}`;

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
  /** Connection id → the node whose room it entered (absent: this node). */
  private readonly attached = new Map<string, string>();
  private readonly remotes = new Map<string, RemoteLink>();
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  private readonly probes = new Map<number, () => void>();
  /** Local sessions' resume tokens by connection id (their records in the directory follow attachments). */
  private readonly tokens = new Map<string, string>();
  private readonly orphanTimers = new Map<string, NodeJS.Timeout>();
  private nextId = 1;
  private nodes: NodeInfo[] = [];
  private timers: NodeJS.Timeout[] = [];

  constructor(private readonly o: ClusterRelayOptions) {
    o.bus.onMessage((message) => void this.onBus(message));
  }

  get nodeId(): string {
    return this.o.node;
  }

  setLocalHandler(handler: LocalHandler): void {
    this.local = handler;
  }

  async start(): Promise<void> {
    await this.beat();
    this.timers.push(setInterval(() => void this.beat().catch((err) => this.o.log('cluster heartbeat failed', err)), this.o.heartbeatMs).unref());
    this.timers.push(setInterval(() => this.sweep(), 60_000).unref());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    for (const p of this.pending.values()) clearTimeout(p.timer);
    for (const t of this.orphanTimers.values()) clearTimeout(t);
    await this.o.directory.leave(this.o.node).catch((err) => this.o.log('could not leave the cluster directory', err));
    await Promise.all([this.o.bus.close(), this.o.directory.close()]);
  }

  /** Whether this node reaches the cluster's bus right now (operators: /status; tests: wait for a reconnect). */
  get busConnected(): boolean {
    return this.o.bus.connected;
  }

  /** Live node ids as of the last heartbeat (this node always counts). */
  isLive(node: string): boolean {
    return node === this.o.node || this.nodes.some((n) => n.id === node);
  }

  /** The client's request: run here, or on the node holding its call or room. */
  async dispatch(link: ClientLink, request: ClientRequest): Promise<unknown> {
    const target = await this.targetOf(link, request).catch((err: unknown) => {
      if (err instanceof ServiceError) throw err;
      throw new ServiceError('cluster_unavailable', 'the cluster directory cannot be reached; try again in a moment');
    });
    const value = target === this.o.node ? await this.local(link, request) : await this.relay(target, link, request);
    if (ENTERS_ROOM.has(request.type)) this.attach(link, target === this.o.node ? undefined : target);
    return value;
  }

  private attach(link: ClientLink, node: string | undefined): void {
    if (this.attached.get(link.id) === node) return;
    if (node) this.attached.set(link.id, node);
    else this.attached.delete(link.id);
    this.saveSession(link);
  }

  /** A new local session: recorded so that another node can continue it if this one dies. */
  sessionOpened(link: ClientLink, resumeToken: string): void {
    this.tokens.set(link.id, resumeToken);
    this.saveSession(link);
  }

  sessionEnded(link: ClientLink): void {
    const token = this.tokens.get(link.id);
    this.tokens.delete(link.id);
    if (token) void this.o.directory.dropSession(token).catch((err) => this.o.log('could not drop a session record', err));
  }

  private saveSession(link: ClientLink): void {
    const token = this.tokens.get(link.id);
    if (!token) return;
    const record: SessionRecord = { linkId: link.id, node: this.o.node, tenantKey: link.identity.tenant.key, userId: link.identity.userId, ...(this.attached.has(link.id) ? { attached: this.attached.get(link.id)! } : {}) };
    // Kept while the token is valid plus the grace a dropped client has to come back.
    const ttl = Math.max(60_000, link.identity.expiresAt - Date.now() + this.o.graceMs);
    void this.o.directory.saveSession(token, record, ttl).catch((err) => this.o.log('could not save a session record', err));
  }

  /**
   * A resume token this node does not know: the session of a node that died (kill -9, power loss) can be
   * continued here — same connection id, so the room that holds it (on a live node) keeps it. Only when its
   * node is dead or does not answer a probe: a live node keeps its own sessions.
   */
  async adoptable(resumeToken: string, identity: Identity): Promise<SessionRecord | undefined> {
    const record = await this.o.directory.sessionOf(resumeToken).catch(() => undefined);
    if (!record || record.node === this.o.node || record.tenantKey !== identity.tenant.key || record.userId !== identity.userId) return undefined;
    if (this.isLive(record.node) && (await this.probe(record.node))) return undefined;
    await this.o.directory.dropSession(resumeToken).catch(() => undefined);
    return record;
  }

  /** The adopted session runs here now: the node holding its room sends its notifications here. */
  adopted(link: ClientLink, record: SessionRecord): void {
    if (record.attached && this.isLive(record.attached)) {
      this.attached.set(link.id, record.attached);
      this.send(record.attached, { t: 'rebind', link: refOf(link, this.o.node) });
    }
    this.saveSession(link);
  }

  private probe(node: string): Promise<boolean> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        resolve(false);
      }, PROBE_TIMEOUT_MS);
      this.probes.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.o.bus.send(node, { t: 'probe', id, from: this.o.node }).catch(() => undefined);
    });
  }

  /** Whether the client's room is on another node (a draining node must not move it away mid-call). */
  attachedElsewhere(link: ClientLink): boolean {
    return this.attached.has(link.id);
  }

  /** The local client is gone for good: the node holding its room hears it (hang-up or connection_lost there). */
  clientGone(link: ClientLink, lost: boolean): void {
    const node = this.attached.get(link.id);
    this.attached.delete(link.id);
    this.sessionEnded(link);
    if (node) this.send(node, { t: 'gone', link: refOf(link, this.o.node), lost });
  }

  /** The local client's connection dropped or came back: the others in its room see it. */
  connectionChanged(link: ClientLink, connected: boolean): void {
    const node = this.attached.get(link.id);
    if (node) this.send(node, { t: 'connection', link: refOf(link, this.o.node), connected });
  }

  /** A connection on another node, as a ClientLink of this one (one object per connection). */
  remoteLink(ref: LinkRef): RemoteLink | undefined {
    const known = this.remotes.get(ref.id);
    if (known) {
      known.lastUsed = Date.now();
      return known;
    }
    const tenant = this.o.apps.byKeyOf(ref.tenantKey);
    if (!tenant) return undefined;
    const link = new RemoteLink(ref, tenant, (node, linkId, notification) => this.send(node, { t: 'notify', linkId, notification }));
    this.remotes.set(ref.id, link);
    return link;
  }

  /** A participant left a room here: if its socket is elsewhere, that node stops relaying its room requests. */
  participantLeft(link: ClientLink): void {
    if (link instanceof RemoteLink) this.send(link.node, { t: 'left', linkId: link.id, from: this.o.node });
  }

  private async targetOf(link: ClientLink, request: ClientRequest): Promise<string> {
    const { tenant } = link.identity;
    const self = this.o.node;
    if (request.type === 'call.dial') return this.freeTarget(link, placeOn(this.nodes, self));
    if (CALL_REQUESTS.has(request.type)) {
      const home = await this.o.directory.homeOf('call', clusterCallKey(tenant.key, (request as { callId: string }).callId));
      // Unknown or on a dead node: answered here (not_found, or "already ended" for a call this node held).
      if (!home || !this.isLive(home)) return self;
      return request.type === 'call.accept' ? this.freeTarget(link, home) : home;
    }
    if (request.type === 'room.join') {
      const key = clusterRoomKey(tenant.key, request.kind ?? 'conference', request.roomId);
      let home = await this.o.directory.claim('room', key, placeOn(this.nodes, self));
      if (!this.isLive(home)) {
        // Its node died: the room starts again on a live one.
        await this.o.directory.release('room', key, home);
        home = await this.o.directory.claim('room', key, placeOn(this.nodes, self));
      }
      return this.freeTarget(link, home);
    }
    if (inRoomRequest(request.type)) return this.attached.get(link.id) ?? self;
    return self;
  }

  /** One room per user, cluster-wide: entering a room on `target` while in one on another node is refused. */
  private async freeTarget(link: ClientLink, target: string): Promise<string> {
    const { tenant, userId } = link.identity;
    if (this.o.rooms.roomOfUser(tenant.key, userId)) throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    const inRoomOn = await this.o.directory.roomNodeOf(tenant.key, userId);
    if (inRoomOn && inRoomOn !== target && this.isLive(inRoomOn)) throw new ServiceError('already_in_room', 'you are already in a room; leave it first');
    return target;
  }

  private relay(node: string, link: ClientLink, request: ClientRequest): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ServiceError('cluster_unavailable', `node ${node} did not answer in time; try again in a moment`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.o.bus.send(node, { t: 'request', id, from: this.o.node, link: refOf(link, this.o.node), request }).catch(() => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ServiceError('cluster_unavailable', 'the cluster bus cannot be reached; try again in a moment'));
      });
    });
  }

  private send(node: string, message: BusMessage): void {
    this.o.bus.send(node, message).catch((err) => this.o.log(`could not send ${message.t} to node ${node}`, err));
  }

  private async onBus(message: BusMessage): Promise<void> {
    switch (message.t) {
      case 'request':
        return this.answer(message);
      case 'reply': {
        const waiting = this.pending.get(message.id);
        if (!waiting) return;
        this.pending.delete(message.id);
        clearTimeout(waiting.timer);
        if (message.ok) waiting.resolve(message.value);
        else waiting.reject(new ServiceError(message.code in ERROR_CODES ? (message.code as ErrorCode) : 'internal', message.message));
        return;
      }
      case 'notify': {
        const link = this.o.localLink(message.linkId);
        const { type, ...payload } = message.notification;
        link?.notify(type as never, payload as never);
        return;
      }
      case 'left': {
        const link = this.o.localLink(message.linkId);
        if (this.attached.get(message.linkId) === message.from) {
          if (link) this.attach(link, undefined);
          else this.attached.delete(message.linkId);
        }
        return;
      }
      case 'probe':
        this.send(message.from, { t: 'pong', id: message.id });
        return;
      case 'pong':
        this.probes.get(message.id)?.();
        this.probes.delete(message.id);
        return;
      case 'rebind': {
        const link = this.remotes.get(message.link.id);
        if (!link) return;
        link.node = message.link.node;
        link.lastUsed = Date.now();
        clearTimeout(this.orphanTimers.get(link.id));
        this.orphanTimers.delete(link.id);
        return;
      }
      case 'gone': {
        const link = this.remotes.get(message.link.id);
        if (!link) return;
        this.remotes.delete(link.id);
        this.o.rooms.discardPrepared(link);
        this.o.leaveRoom(link, message.lost);
        return;
      }
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

  private async answer(message: Extract<BusMessage, { t: 'request' }>): Promise<void> {
    const reply = (m: { ok: true; value: unknown } | { ok: false; code: string; message: string }) => this.send(message.from, { t: 'reply', id: message.id, ...m });
    const link = this.remoteLink(message.link);
    if (!link) return reply({ ok: false, code: 'unknown_app_key', message: 'this node does not know the app of this connection' });
    try {
      reply({ ok: true, value: await this.local(link, message.request as ClientRequest) });
    } catch (err) {
      if (err instanceof ServiceError) return reply({ ok: false, code: err.code, message: err.message });
      this.o.log(`relayed ${message.request.type} failed`, err);
      reply({ ok: false, code: 'internal', message: 'internal error' });
    }
  }

  private async beat(): Promise<void> {
    const { directory, node, heartbeatMs } = this.o;
    await directory.heartbeat({ id: node, load: this.o.load(), draining: this.o.draining() }, heartbeatMs * 3);
    const before = this.nodes;
    this.nodes = await directory.liveNodes();
    // Only a beat that reached Redis gets here: an outage never makes a node look dead.
    for (const dead of before.filter((n) => !this.isLive(n.id))) this.nodeDied(dead.id);
  }

  /**
   * A node stopped beating. Its clients in rooms here get the grace period to come back through another node
   * (which adopts their sessions and rebinds them); those that do not leave as `connection_lost`.
   */
  private nodeDied(node: string): void {
    this.o.log(`cluster node ${node} stopped beating: its clients have ${Math.round(this.o.graceMs / 1000)} s to come back through another node`);
    for (const link of this.remotes.values()) {
      if (link.node !== node || this.orphanTimers.has(link.id)) continue;
      const timer = setTimeout(() => {
        this.orphanTimers.delete(link.id);
        if (link.node !== node) return;
        this.remotes.delete(link.id);
        this.o.rooms.discardPrepared(link);
        this.o.leaveRoom(link, true);
      }, this.o.graceMs);
      this.orphanTimers.set(link.id, timer);
    }
  }

  private sweep(): void {
    const before = Date.now() - IDLE_LINK_MS;
    for (const [id, link] of this.remotes) {
      if (link.lastUsed < before && !this.o.rooms.roomOf(link) && !this.o.rooms.hasPrepared(link)) this.remotes.delete(id);
    }
  }
}
