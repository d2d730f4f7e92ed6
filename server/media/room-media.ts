import type { types } from 'mediasoup';
import type { ConsumerOptions, ProducerInfo } from '../../protocol';
import { ServiceError } from '../errors';
import { ROUTER_MEDIA_CODECS } from './codecs';
import type { PeerMediaEvents, RoomMediaEvents, RoomMediaPort } from '../domain/media-port';
import { PeerMedia, type TransportListenOptions } from './peer-media';
import type { TransportLease } from './transport-budget';
import type { WorkerPool } from './worker-pool';

export type { RoomMediaEvents } from '../domain/media-port';

/**
 * The media side of one room: a router on the least-loaded worker plus each participant's PeerMedia.
 * `close()` is idempotent; the router closing (e.g. worker death) closes the room's media too.
 */
export class RoomMedia implements RoomMediaPort {
  private readonly peers = new Map<string, PeerMedia>();
  /** Media prepared by a ringing callee's connection (by connection id), promoted when it accepts. */
  private readonly pending = new Map<string, PeerMedia>();
  private closed = false;

  private constructor(
    private readonly router: types.Router,
    /** The worker process this room's router lives on. */
    readonly workerPid: number,
    private readonly listen: TransportListenOptions,
    private readonly speakers: types.ActiveSpeakerObserver,
    private readonly lease: TransportLease,
    events: RoomMediaEvents,
  ) {
    speakers.on('dominantspeaker', ({ producer }: { producer: types.Producer }) => {
      const userId = (producer.appData as { userId?: string }).userId;
      if (userId) events.onActiveSpeaker?.(userId);
    });
    router.observer.once('close', () => {
      const unexpected = !this.closed;
      this.close();
      if (unexpected) events.onRouterClosed();
    });
  }

  /** `lease` takes every transport of this room's participants from its tenant's budget (transport-budget.ts). */
  static async create(pool: WorkerPool, events: RoomMediaEvents, lease: TransportLease): Promise<RoomMedia> {
    const { router, workerPid, webRtcServer } = await pool.createRouter(ROUTER_MEDIA_CODECS);
    const speakers = await router.createActiveSpeakerObserver({ interval: 300 });
    return new RoomMedia(router, workerPid, { webRtcServer, protocols: pool.webRtcProtocols }, speakers, lease, events);
  }

  get rtpCapabilities(): unknown {
    return this.router.rtpCapabilities;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Media for a participant: the connection's prepared media if it has some, else new. */
  addPeer(userId: string, events: PeerMediaEvents, preparedKey?: string): PeerMedia {
    if (this.closed) throw new ServiceError('media_error', 'room media is closed');
    if (this.peers.has(userId)) throw new ServiceError('already_in_room', `${userId} already has media in this room`);
    const prepared = preparedKey === undefined ? undefined : this.pending.get(preparedKey);
    if (preparedKey !== undefined) this.pending.delete(preparedKey);
    const peer = prepared ?? new PeerMedia(userId, this.router, this.listen, events, this.lease, this.speakers);
    this.peers.set(userId, peer);
    return peer;
  }

  /** Transports a ringing callee may set up before answering (no producing or consuming yet). */
  preparePeer(key: string, userId: string, events: PeerMediaEvents): PeerMedia {
    if (this.closed) throw new ServiceError('media_error', 'room media is closed');
    let peer = this.pending.get(key);
    if (!peer) this.pending.set(key, (peer = new PeerMedia(userId, this.router, this.listen, events, this.lease, this.speakers)));
    return peer;
  }

  preparedPeer(key: string): PeerMedia | undefined {
    return this.pending.get(key);
  }

  discardPrepared(key: string): void {
    this.pending.get(key)?.close();
    this.pending.delete(key);
  }

  removePeer(userId: string): void {
    this.peers.get(userId)?.close();
    this.peers.delete(userId);
  }

  peer(userId: string): PeerMedia {
    const peer = this.peers.get(userId);
    if (!peer) throw new ServiceError('not_in_room', 'join the room first');
    return peer;
  }

  /** Everything currently being published in the room, except by `exceptUserId`. */
  producers(exceptUserId?: string): ProducerInfo[] {
    const list: ProducerInfo[] = [];
    for (const peer of this.peers.values()) {
      if (peer.userId === exceptUserId) continue;
      for (const { producer, source } of peer.producers.values()) {
        list.push({ producerId: producer.id, userId: peer.userId, kind: producer.kind, source, paused: producer.paused });
      }
    }
    return list;
  }

  /** Simulcast layers a producer sends (1 when it does not use simulcast). */
  layerCount(producerId: string): number {
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (entry) return entry.producer.rtpParameters.encodings?.length ?? 1;
    }
    return 0;
  }

  async consume(consumerUserId: string, producerId: string): Promise<ConsumerOptions> {
    const consumer = this.peer(consumerUserId);
    for (const peer of this.peers.values()) {
      const entry = peer.producers.get(producerId);
      if (!entry) continue;
      if (peer.userId === consumerUserId) throw new ServiceError('media_error', 'cannot consume your own producer');
      return consumer.consume(entry.producer, { userId: peer.userId, source: entry.source });
    }
    throw new ServiceError('not_found', `no producer ${producerId} in this room`);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const peer of [...this.peers.values(), ...this.pending.values()]) peer.close();
    this.peers.clear();
    this.pending.clear();
    this.router.close();
  }
}
