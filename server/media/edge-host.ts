import type { types } from 'mediasoup';
import type { MediaSource } from '../../protocol';
import { ServiceError } from '../errors';
import { ROUTER_MEDIA_CODECS } from './codecs';
import type { EdgeAddress, EdgeChannel, EdgePeerCall, EdgeRequest, PipeEnd, PipedConsumer, PipedProducerData } from './edge-protocol';
import { PeerMedia } from './peer-media';
import { RoomRouters, type RouterSite } from './room-routers';
import type { TransportLease } from './transport-budget';
import type { WorkerPool } from './worker-pool';

/** Where pipe transports between nodes listen, and the address other nodes reach them on. */
export interface PipeListen {
  ip: string;
  announcedAddress: string;
}

export function pipeListenInfo(listen: PipeListen): types.TransportListenInfo {
  return { protocol: 'udp', ip: listen.ip, announcedAddress: listen.announcedAddress };
}

/** The SRTP pipe transport a room's two nodes share, created and connected from `remote`'s end. */
export async function connectedPipe(router: types.Router, listen: PipeListen, remote: PipeEnd): Promise<types.PipeTransport> {
  const pipe = await router.createPipeTransport({ listenInfo: pipeListenInfo(listen), enableSrtp: true });
  try {
    await pipe.connect({ ip: remote.ip, port: remote.port, srtpParameters: remote.srtpParameters as types.SrtpParameters });
  } catch (error) {
    pipe.close();
    throw error;
  }
  return pipe;
}

export function pipeEnd(pipe: types.PipeTransport): PipeEnd {
  return { ip: pipe.tuple.localAddress, port: pipe.tuple.localPort, srtpParameters: pipe.srtpParameters };
}

interface EdgePeer {
  media: PeerMedia;
  site: Promise<RouterSite>;
  release(): void;
}

/**
 * The part of another node's room this node serves: its participants whose sockets are here (their WebRTC
 * transports are on this node's routers), the room's producers piped in from the home over one SRTP pipe
 * transport, and this node's producers piped out to it. Owned by EdgeHost; `close()` is idempotent.
 */
class EdgeRoom {
  private readonly peers = new Map<string, EdgePeer>();
  /** Producers of the room piped in from the home, by id (the same id as on the home). */
  private readonly pipedIn = new Map<string, types.Producer>();
  private pipe: types.PipeTransport | undefined;
  private closed = false;

  constructor(
    readonly address: EdgeAddress,
    private readonly routers: RoomRouters,
    private readonly listen: PipeListen,
    private readonly lease: TransportLease,
    private readonly channel: EdgeChannel,
  ) {}

  get peerCount(): number {
    return this.peers.size;
  }

  async handle(request: EdgeRequest): Promise<unknown> {
    switch (request.op) {
      case 'pipe.connect': {
        if (this.pipe) throw new ServiceError('invalid_state', 'the pipe of this room is already connected');
        const pipe = await connectedPipe(this.routers.primary.router, this.listen, request);
        if (this.closed) pipe.close();
        this.pipe = pipe;
        return pipeEnd(pipe);
      }
      case 'pipe.produce': {
        const producer = await this.connected().produce({ id: request.producerId, kind: request.kind, rtpParameters: request.rtpParameters as types.RtpParameters, paused: request.paused, appData: { ...request.appData } });
        this.pipedIn.set(producer.id, producer);
        producer.observer.once('close', () => this.pipedIn.delete(producer.id));
        return undefined;
      }
      case 'pipe.pause': {
        const producer = this.pipedIn.get(request.producerId);
        if (producer) await (request.paused ? producer.pause() : producer.resume());
        return undefined;
      }
      case 'pipe.close':
        this.pipedIn.get(request.producerId)?.close();
        return undefined;
      case 'pipe.consume': {
        const { producer } = this.ownProducer(request.producerId);
        const consumer = await this.connected().consume({ producerId: producer.id });
        const piped: PipedConsumer = { kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused };
        return piped;
      }
      case 'peer':
        return this.peerCall(request.userId, request.call);
      case 'close':
        this.close();
        return undefined;
    }
  }

  private async peerCall(userId: string, call: EdgePeerCall): Promise<unknown> {
    if (call.m === 'close') {
      const peer = this.peers.get(userId);
      this.peers.delete(userId);
      peer?.media.close();
      peer?.release();
      return undefined;
    }
    const { media } = this.peer(userId);
    switch (call.m) {
      case 'createTransport':
        return media.createTransport(call.direction);
      case 'connectTransport':
        return media.connectTransport(call.transportId, call.dtlsParameters);
      case 'restartIce':
        return media.restartIce(call.transportId);
      case 'produce':
        return media.produce(call.transportId, call.kind, call.rtpParameters, call.source, call.paused, call.width);
      case 'setProducerPaused':
        return media.setProducerPaused(call.producerId, call.paused);
      case 'closeProducer':
        media.closeProducer(call.producerId);
        return undefined;
      case 'consume':
        return this.consume(userId, call.producerId, call.rtpCapabilities);
      case 'setConsumerView':
        return media.setConsumerView(call.consumerId, call.view);
      case 'resumeConsumer':
        return media.resumeConsumer(call.consumerId);
    }
  }

  private peer(userId: string): EdgePeer {
    if (this.closed) throw new ServiceError('media_error', 'room media is closed');
    let peer = this.peers.get(userId);
    if (!peer) {
      const { site, release } = this.routers.assign();
      const { mediaId, home } = this.address;
      const events = { onConsumerClosed: (consumerId: string, producerId: string) => this.channel.notify(home, { mediaId, type: 'consumerClosed', userId, consumerId, producerId }) };
      peer = { media: new PeerMedia(userId, site, events, this.lease), site, release };
      this.peers.set(userId, peer);
    }
    return peer;
  }

  /** A consumer for `userId` of a producer piped in from the home, or of another participant served here. */
  private async consume(userId: string, producerId: string, rtpCapabilities: unknown): Promise<unknown> {
    const peer = this.peer(userId);
    const piped = this.pipedIn.get(producerId);
    const found = piped ? { producer: piped, site: Promise.resolve(this.routers.primary) } : this.ownProducer(producerId);
    const data = found.producer.appData as unknown as PipedProducerData;
    const [from, to] = await Promise.all([found.site, peer.site]);
    const producer = await this.routers.producerOn(found.producer, from.router, to.router);
    peer.media.setRtpCapabilities(rtpCapabilities);
    return peer.media.consume(producer, { userId: data.userId, source: data.source });
  }

  private ownProducer(producerId: string): { producer: types.Producer; source: MediaSource; site: Promise<RouterSite> } {
    for (const peer of this.peers.values()) {
      const entry = peer.media.producers.get(producerId);
      if (entry) return { ...entry, site: peer.site };
    }
    throw new ServiceError('not_found', `no producer ${producerId} served here`);
  }

  private connected(): types.PipeTransport {
    if (!this.pipe || this.pipe.closed) throw new ServiceError('invalid_state', 'the pipe of this room is not connected');
    return this.pipe;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of this.peers.values()) {
      peer.media.close();
      peer.release();
    }
    this.peers.clear();
    this.pipe?.close();
    this.routers.close();
  }
}

/**
 * This node's share of rooms whose home is another node (cascading): one EdgeRoom per room media of a home,
 * created on its first request, closed when the home closes it or dies. What they hold is bounded by the
 * participants' own transports (each taken from their tenant's budget on this node) and by the pipes the
 * home opens for them.
 */
export class EdgeHost {
  private readonly rooms = new Map<string, Promise<EdgeRoom>>();

  constructor(
    private readonly pool: WorkerPool,
    private readonly listen: PipeListen,
    private readonly peersPerRouter: number,
    private readonly lease: (tenantKey: string) => TransportLease,
    private readonly channel: EdgeChannel,
  ) {}

  async handle(request: EdgeRequest): Promise<unknown> {
    if (request.op === 'close') {
      const room = this.rooms.get(request.mediaId);
      this.rooms.delete(request.mediaId);
      (await room?.catch(() => undefined))?.close();
      return undefined;
    }
    return (await this.room(request)).handle(request);
  }

  private room(address: EdgeAddress): Promise<EdgeRoom> {
    let room = this.rooms.get(address.mediaId);
    if (!room) {
      room = this.open(address);
      room.catch(() => this.rooms.delete(address.mediaId));
      this.rooms.set(address.mediaId, room);
    }
    return room;
  }

  private async open(address: EdgeAddress): Promise<EdgeRoom> {
    const { router, workerPid, webRtcServer } = await this.pool.createRouter(ROUTER_MEDIA_CODECS);
    const { mediaId, home, tenantKey } = address;
    const lost = () => {
      if (!this.rooms.has(mediaId)) return;
      this.rooms.delete(mediaId);
      edge.close();
      this.channel.notify(home, { mediaId, type: 'closed' });
    };
    const routers = new RoomRouters(this.pool, { router, workerPid, listen: { webRtcServer, protocols: this.pool.webRtcProtocols } }, this.peersPerRouter, lost);
    const edge = new EdgeRoom(address, routers, this.listen, () => this.lease(tenantKey)(), this.channel);
    return edge;
  }

  /** A home node died: the rooms it held here go (its participants rejoin where the room continues). */
  homeDied(node: string): void {
    for (const [mediaId, room] of this.rooms) {
      void room.then((r) => {
        if (r.address.home !== node) return;
        this.rooms.delete(mediaId);
        r.close();
      }, () => undefined);
    }
  }

  /** Rooms of other nodes served here, and their participants (operators' /status). */
  async served(): Promise<{ rooms: number; peers: number }> {
    const rooms = (await Promise.all([...this.rooms.values()].map((r) => r.catch(() => undefined)))).filter((r): r is EdgeRoom => r !== undefined);
    return { rooms: rooms.length, peers: rooms.reduce((n, r) => n + r.peerCount, 0) };
  }

  close(): void {
    for (const room of this.rooms.values()) void room.then((r) => r.close(), () => undefined);
    this.rooms.clear();
  }
}
