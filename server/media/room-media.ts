import { randomUUID } from 'node:crypto';
import type { types } from 'mediasoup';
import type { ConsumerOptions, ProducerInfo } from '../../protocol';
import { ServiceError } from '../errors';
import { ROUTER_MEDIA_CODECS } from './codecs';
import type { PeerMediaEvents, RoomMediaEvents, RoomMediaPort } from '../domain/media-port';
import type { CascadedRoom, EdgeEvent, MediaCascade } from './cascade';
import type { EdgeLink } from './edge-link';
import { PeerMedia } from './peer-media';
import { RemotePeerMedia } from './remote-peer';
import { RoomRouters, type RouterSite } from './room-routers';
import type { TransportLease } from './transport-budget';
import type { WorkerPool } from './worker-pool';

export type { RoomMediaEvents } from '../domain/media-port';

/** A participant served by this node (on one of the room's routers) or by another node (an edge). */
type Peer = { where: 'here'; media: PeerMedia; site: Promise<RouterSite>; release(): void } | { where: 'edge'; media: RemotePeerMedia };

export interface RoomMediaOptions {
  /** Peers one router carries before the room takes a router on another worker (PEERS_PER_ROUTER). */
  peersPerRouter: number;
  tenantKey: string;
  /** In a cluster: serving participants on the node their socket is on, with producers piped between nodes. */
  cascade?: MediaCascade;
}

/**
 * The media side of one room: its routers on this node (RoomRouters: more than one worker once the room is
 * big), each participant's media, and — in a cluster — a link to each other node serving some of its
 * participants (EdgeLink). A producer is made available where a consumer of it is: piped to the consumer's
 * router here (pipeToRouter), or through the room's first router to the consumer's node (SRTP pipe transport).
 * `close()` is idempotent; a router of the room closing (worker death) or an edge lost closes it too.
 */
export class RoomMedia implements RoomMediaPort, CascadedRoom {
  private readonly peers = new Map<string, Peer>();
  /** Media prepared by a ringing callee's connection (by connection id), promoted when it accepts. */
  private readonly pending = new Map<string, Peer & { where: 'here' }>();
  private readonly edges = new Map<string, EdgeLink>();
  private readonly mediaId = randomUUID();
  private readonly unregister: () => void;
  private closed = false;

  private constructor(
    private readonly routers: RoomRouters,
    private readonly speakers: types.ActiveSpeakerObserver,
    private readonly lease: TransportLease,
    private readonly events: RoomMediaEvents,
    private readonly options: RoomMediaOptions,
  ) {
    speakers.on('dominantspeaker', ({ producer }: { producer: types.Producer }) => {
      const userId = (producer.appData as { userId?: string }).userId;
      if (userId) events.onActiveSpeaker?.(userId);
    });
    this.unregister = options.cascade?.registerHome(this.mediaId, this) ?? (() => undefined);
  }

  /** `lease` takes every transport of this room's participants from its tenant's budget (transport-budget.ts). */
  static async create(pool: WorkerPool, events: RoomMediaEvents, lease: TransportLease, options: RoomMediaOptions): Promise<RoomMedia> {
    const { router, workerPid, webRtcServer } = await pool.createRouter(ROUTER_MEDIA_CODECS);
    const speakers = await router.createActiveSpeakerObserver({ interval: 300 });
    const holder: { media?: RoomMedia } = {};
    const lost = () => {
      holder.media?.close();
      events.onRouterClosed();
    };
    const routers = new RoomRouters(pool, { router, workerPid, listen: { webRtcServer, protocols: pool.webRtcProtocols } }, options.peersPerRouter, lost);
    holder.media = new RoomMedia(routers, speakers, lease, events, options);
    return holder.media;
  }

  get rtpCapabilities(): unknown {
    return this.routers.primary.router.rtpCapabilities;
  }

  get workerPid(): number {
    return this.routers.primary.workerPid;
  }

  /** Every worker this room has a router on (one until it outgrows `peersPerRouter`). */
  get workerPids(): number[] {
    return this.routers.workerPids;
  }

  /** Nodes serving some of this room's participants besides this one. */
  get edgeNodes(): string[] {
    return [...this.edges.keys()];
  }

  /** The SRTP crypto suite of each node-to-node pipe (diagnostics, tests). */
  pipeSecurity(): Promise<{ node: string; srtp: string | undefined }[]> {
    return Promise.all([...this.edges.values()].map(async (edge) => ({ node: edge.node, srtp: await edge.srtpSuite() })));
  }

  get isClosed(): boolean {
    return this.closed;
  }

  private localPeer(userId: string, events: PeerMediaEvents): Peer & { where: 'here' } {
    const { site, release } = this.routers.assign();
    const peer: Peer & { where: 'here' } = {
      where: 'here',
      site,
      release,
      media: new PeerMedia(userId, site, events, this.lease, (producer) => this.addSpeaker(peer, producer.id)),
    };
    return peer;
  }

  private edgePeer(userId: string, node: string, events: PeerMediaEvents): Peer & { where: 'edge' } {
    const edge = this.edge(node);
    const peer: Peer & { where: 'edge' } = {
      where: 'edge',
      media: new RemotePeerMedia(userId, edge, events, {
        onProducerChanged: (producerId, change) => void edge.receivedChanged(producerId, change).catch(() => undefined),
        onMic: (producerId) => this.addSpeaker(peer, producerId),
      }),
    };
    return peer;
  }

  private edge(node: string): EdgeLink {
    const cascade = this.options.cascade;
    if (!cascade) throw new ServiceError('internal', 'no cascade on a single node');
    let edge = this.edges.get(node);
    if (!edge) this.edges.set(node, (edge = cascade.link(node, { mediaId: this.mediaId, home: cascade.self, tenantKey: this.options.tenantKey }, this.routers.primary.router)));
    return edge;
  }

  /**
   * Media for a participant: the connection's prepared media if it has some, else new — served here, or by
   * `servedBy` (the node its socket is on) when that node is alive and this node cascades.
   */
  addPeer(userId: string, events: PeerMediaEvents, preparedKey?: string, servedBy?: string): PeerMedia | RemotePeerMedia {
    if (this.closed) throw new ServiceError('media_error', 'room media is closed');
    if (this.peers.has(userId)) throw new ServiceError('already_in_room', `${userId} already has media in this room`);
    const prepared = preparedKey === undefined ? undefined : this.pending.get(preparedKey);
    if (preparedKey !== undefined) this.pending.delete(preparedKey);
    const { cascade } = this.options;
    const remote = !prepared && servedBy !== undefined && cascade !== undefined && servedBy !== cascade.self && cascade.isLive(servedBy);
    const peer = prepared ?? (remote ? this.edgePeer(userId, servedBy, events) : this.localPeer(userId, events));
    this.peers.set(userId, peer);
    return peer.media;
  }

  /** Transports a ringing callee may set up before answering (no producing or consuming yet). */
  preparePeer(key: string, userId: string, events: PeerMediaEvents): PeerMedia {
    if (this.closed) throw new ServiceError('media_error', 'room media is closed');
    const known = this.pending.get(key);
    if (known) return known.media;
    const peer = this.localPeer(userId, events);
    this.pending.set(key, peer);
    return peer.media;
  }

  preparedPeer(key: string): PeerMedia | undefined {
    return this.pending.get(key)?.media;
  }

  discardPrepared(key: string): void {
    const peer = this.pending.get(key);
    this.pending.delete(key);
    if (peer) this.closePeer(peer);
  }

  removePeer(userId: string): void {
    const peer = this.peers.get(userId);
    this.peers.delete(userId);
    if (peer) this.closePeer(peer);
  }

  private closePeer(peer: Peer): void {
    peer.media.close();
    if (peer.where === 'here') peer.release();
  }

  peer(userId: string): PeerMedia | RemotePeerMedia {
    const peer = this.peers.get(userId);
    if (!peer) throw new ServiceError('not_in_room', 'join the room first');
    return peer.media;
  }

  /** Everything currently being published in the room, except by `exceptUserId`. */
  producers(exceptUserId?: string): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const peer of this.peers.values()) {
      if (peer.media.userId === exceptUserId) continue;
      if (peer.where === 'edge') list.push(...peer.media.producerInfos());
      else for (const { producer, source } of peer.media.producers.values()) list.push({ producerId: producer.id, userId: peer.media.userId, kind: producer.kind, source, paused: producer.paused });
    }
    return list;
  }

  /** Simulcast layers a producer sends (1 when it does not use simulcast). */
  layerCount(producerId: string): number {
    for (const peer of this.peers.values()) {
      if (peer.where === 'edge') {
        const layers = peer.media.layerCount(producerId);
        if (layers !== undefined) return layers;
        continue;
      }
      const entry = peer.media.producers.get(producerId);
      if (entry) return entry.producer.rtpParameters.encodings?.length ?? 1;
    }
    return 0;
  }

  private owner(producerId: string): { peer: Peer; source: ProducerInfo['source'] } | undefined {
    for (const peer of this.peers.values()) {
      const source = peer.where === 'edge' ? peer.media.publishedData(producerId)?.source : peer.media.producers.get(producerId)?.source;
      if (source) return { peer, source };
    }
    return undefined;
  }

  /** `owner`'s producer as a producer on `to`, a router of this room here (piped there if need be). */
  private async producerOn(owner: Peer, producerId: string, to: types.Router): Promise<types.Producer> {
    const primary = this.routers.primary.router;
    if (owner.where === 'edge') {
      const data = owner.media.publishedData(producerId);
      if (!data) throw new ServiceError('not_found', `no producer ${producerId} in this room`);
      const here = await owner.media.edge.receive(producerId, data);
      return this.routers.producerOn(here, primary, to);
    }
    const entry = owner.media.producers.get(producerId);
    if (!entry) throw new ServiceError('not_found', `no producer ${producerId} in this room`);
    return this.routers.producerOn(entry.producer, (await owner.site).router, to);
  }

  async consume(consumerUserId: string, producerId: string): Promise<ConsumerOptions> {
    const consumer = this.peers.get(consumerUserId);
    if (!consumer) throw new ServiceError('not_in_room', 'join the room first');
    const found = this.owner(producerId);
    if (!found) throw new ServiceError('not_found', `no producer ${producerId} in this room`);
    const { peer: owner, source } = found;
    if (owner === consumer) throw new ServiceError('media_error', 'cannot consume your own producer');
    if (consumer.where === 'here') {
      const producer = await this.producerOn(owner, producerId, (await consumer.site).router);
      return consumer.media.consume(producer, { userId: owner.media.userId, source });
    }
    // Served by another node: the producer goes there (once per node), unless it is published there too.
    if (owner.where !== 'edge' || owner.media.edge !== consumer.media.edge) {
      await consumer.media.edge.send(await this.producerOn(owner, producerId, this.routers.primary.router));
    }
    return consumer.media.consume(producerId);
  }

  /** A mic joins the room's active-speaker observer (on its first router; piped there if it is elsewhere). */
  private addSpeaker(owner: Peer, producerId: string): void {
    void this.producerOn(owner, producerId, this.routers.primary.router)
      .then((producer) => (this.speakers.closed ? undefined : this.speakers.addProducer({ producerId: producer.id })))
      .catch(() => undefined);
  }

  onEdgeEvent(event: EdgeEvent): void {
    if (event.type === 'closed') return this.lose();
    const peer = this.peers.get(event.userId);
    if (peer?.where === 'edge') peer.media.consumerClosed(event.consumerId, event.producerId);
  }

  /** A node serving some of this room's participants died: its media is gone, so the room's is set up again. */
  edgeDied(node: string): void {
    if (this.edges.has(node)) this.lose();
  }

  private lose(): void {
    if (this.closed) return;
    this.close();
    this.events.onRouterClosed();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.unregister();
    for (const peer of [...this.peers.values(), ...this.pending.values()]) this.closePeer(peer);
    this.peers.clear();
    this.pending.clear();
    for (const edge of this.edges.values()) edge.close();
    this.edges.clear();
    this.routers.close();
  }
}
