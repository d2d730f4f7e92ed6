import type { types } from 'mediasoup';
import type { ConsumerOptions, MediaSource, ProducerInfo, TransportOptions } from '../../protocol';
import type { PeerMediaEvents, PeerMediaPort, SourceState } from '../domain/media-port';
import { ServiceError } from '../errors';
import type { RouterSite } from './room-routers';
import type { TransportLease } from './transport-budget';

export type { PeerMediaEvents } from '../domain/media-port';

/**
 * Runs a mediasoup call on client-supplied parameters. What mediasoup rejects — TypeError (validation),
 * UnsupportedError (codecs), or an Error the worker answered for this request ("... [method:...]", e.g. a
 * second connect or a duplicate mid) — is the client's mistake: `media_error` with mediasoup's message. A
 * closed channel or object (InvalidStateError) is ours and stays an internal error.
 */
async function clientInput<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (!(error instanceof Error) || error.name === 'InvalidStateError') throw error;
    const rejected = error instanceof TypeError || error.name === 'UnsupportedError' || /\[method:[\w.]+\]/.test(error.message);
    if (!rejected) throw error;
    const reason = error.message.replace(/\s*\[method:[\w.]+\]/, '').trim() || 'rejected by the media server';
    throw new ServiceError('media_error', `invalid ${what}: ${reason}`);
  }
}

/** The kind each source implies: a client cannot label video as a microphone (or audio as a camera). */
const KIND_OF_SOURCE: Readonly<Record<MediaSource, 'audio' | 'video'>> = { mic: 'audio', camera: 'video', screen: 'video' };

/** The producer's simulcast scale-down factors, when the client sent them. */
function scaleFactors(producer: types.Producer): number[] | undefined {
  // Browsers send scaleResolutionDownBy in each encoding; mediasoup keeps it but no longer types it (3.13+).
  const scales = producer.rtpParameters.encodings?.map((e) => (e as { scaleResolutionDownBy?: number }).scaleResolutionDownBy);
  return scales && scales.length > 1 && scales.every((s) => typeof s === 'number') ? (scales as number[]) : undefined;
}

/**
 * One participant's media inside a room: its send/recv WebRTC transports, producers and consumers, on the
 * router its room gave it (`site`, which may still be starting on another worker). Owned by RoomMedia (or by
 * an EdgeRoom serving a room of another node); `close()` is idempotent and closes every object it owns.
 */
export class PeerMedia implements PeerMediaPort {
  private readonly transports = new Map<string, types.WebRtcTransport>();
  /** Read by RoomMedia (same floor) to consume them; outside server/media only ids and SourceState leave. */
  readonly producers = new Map<string, { producer: types.Producer; source: MediaSource }>();
  private readonly consumers = new Map<string, types.Consumer>();
  /** Directions whose transport is being created (two concurrent requests must not both pass the check). */
  private readonly creating = new Set<'send' | 'recv'>();
  private readonly producing = new Set<MediaSource>();
  private readonly consuming = new Set<string>();
  private rtpCapabilities: types.RtpCapabilities | undefined;
  private closed = false;

  constructor(
    readonly userId: string,
    private readonly site: Promise<RouterSite>,
    private readonly events: PeerMediaEvents,
    /** Takes a place in the tenant's and node's transport budget; returns its release. */
    private readonly lease: TransportLease,
    /** A mic producer started (the room adds it to its active-speaker observer). */
    private readonly onMic?: (producer: types.Producer) => void,
  ) {}

  /** One send and one recv transport per participant: all a widget needs, and a bound on what one user holds. */
  async createTransport(direction: 'send' | 'recv'): Promise<TransportOptions> {
    this.assertOpen();
    if ([...this.transports.values()].some((t) => t.appData.direction === direction) || this.creating.has(direction)) {
      throw new ServiceError('limit_exceeded', `you already have a ${direction} transport in this room (one per direction)`);
    }
    const release = this.lease();
    this.creating.add(direction);
    let transport: types.WebRtcTransport;
    try {
      transport = await this.createWebRtcTransport(direction);
    } catch (error) {
      release();
      throw error;
    } finally {
      this.creating.delete(direction);
    }
    transport.observer.once('close', release);
    if (this.closed) {
      transport.close();
      throw new ServiceError('not_in_room', 'left the room');
    }
    this.transports.set(transport.id, transport);
    transport.observer.once('close', () => this.transports.delete(transport.id));
    return {
      id: transport.id,
      iceParameters: transport.iceParameters,
      iceCandidates: transport.iceCandidates,
      dtlsParameters: transport.dtlsParameters,
    };
  }

  private async createWebRtcTransport(direction: 'send' | 'recv'): Promise<types.WebRtcTransport> {
    const { router, listen } = await this.site;
    return router.createWebRtcTransport({
      webRtcServer: listen.webRtcServer,
      enableUdp: listen.protocols.includes('udp'),
      enableTcp: listen.protocols.includes('tcp'), // for networks that block UDP
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction },
    });
  }

  async connectTransport(transportId: string, dtlsParameters: unknown): Promise<void> {
    const transport = this.transport(transportId);
    await clientInput('dtlsParameters', () => transport.connect({ dtlsParameters: dtlsParameters as types.DtlsParameters }));
  }

  /** New ICE credentials: the client restarts ICE with them after a reconnection or a network change. */
  async restartIce(transportId: string): Promise<unknown> {
    return this.transport(transportId).restartIce();
  }

  setRtpCapabilities(rtpCapabilities: unknown): void {
    this.rtpCapabilities = rtpCapabilities as types.RtpCapabilities;
  }

  async produce(
    transportId: string,
    kind: 'audio' | 'video',
    rtpParameters: unknown,
    source: MediaSource,
    paused = false,
    width?: number,
  ): Promise<ProducerInfo> {
    const transport = this.transport(transportId);
    if (transport.appData.direction !== 'send') throw new ServiceError('media_error', 'not a send transport');
    if (kind !== KIND_OF_SOURCE[source]) throw new ServiceError('media_error', `a ${source} producer sends ${KIND_OF_SOURCE[source]}, not ${kind}`);
    if (this.producerBySource(source) || this.producing.has(source)) {
      throw new ServiceError('limit_exceeded', `you already publish a ${source} (one producer per source); close it first`);
    }
    this.producing.add(source);
    const producer = await clientInput('rtpParameters', () =>
      transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, paused, appData: { userId: this.userId, source, width, encodings: undefined as number[] | undefined } }),
    ).finally(() => this.producing.delete(source));
    // Kept with the producer: its pipe copies on other routers and nodes carry appData, not these encodings.
    producer.appData.encodings = scaleFactors(producer);
    this.producers.set(producer.id, { producer, source });
    if (source === 'mic') this.onMic?.(producer);
    producer.observer.once('close', () => this.producers.delete(producer.id));
    return { producerId: producer.id, userId: this.userId, kind, source, paused: producer.paused };
  }

  producer(producerId: string): types.Producer {
    const entry = this.producers.get(producerId);
    if (!entry) throw new ServiceError('not_found', `no producer ${producerId} of yours`);
    return entry.producer;
  }

  async setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    const producer = this.producer(producerId);
    if (paused) await producer.pause();
    else await producer.resume();
  }

  closeProducer(producerId: string): void {
    this.producer(producerId).close();
  }

  /** Creates a paused consumer of another participant's producer on this peer's recv transport. */
  async consume(producer: types.Producer, owner: { userId: string; source: MediaSource }): Promise<ConsumerOptions> {
    this.assertOpen();
    if (!this.rtpCapabilities) throw new ServiceError('invalid_state', 'send media.setRtpCapabilities first');
    const rtpCapabilities = this.rtpCapabilities;
    const { router } = await this.site;
    const canConsume = await clientInput('rtpCapabilities', async () => router.canConsume({ producerId: producer.id, rtpCapabilities }));
    if (!canConsume) {
      throw new ServiceError('media_error', 'your device cannot receive this stream');
    }
    const transport = [...this.transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) throw new ServiceError('invalid_state', 'create a recv transport first');
    if ([...this.consumers.values()].some((c) => c.producerId === producer.id) || this.consuming.has(producer.id)) {
      throw new ServiceError('limit_exceeded', 'you already consume this producer (one consumer per producer)');
    }
    // Paused until the client has attached the track, so no key frame is lost before it can render.
    const producerData = producer.appData as { width?: number; encodings?: number[] };
    this.consuming.add(producer.id);
    const consumer = await clientInput('rtpCapabilities', () => transport.consume({
      producerId: producer.id,
      rtpCapabilities,
      paused: true,
      appData: {
        producerUserId: owner.userId,
        source: owner.source,
        width: producerData.width,
        encodings: producerData.encodings ?? scaleFactors(producer),
      },
    })).finally(() => this.consuming.delete(producer.id));
    this.consumers.set(consumer.id, consumer);
    consumer.observer.once('close', () => this.consumers.delete(consumer.id));
    consumer.on('producerclose', () => {
      this.consumers.delete(consumer.id);
      this.events.onConsumerClosed(consumer.id, producer.id);
    });
    consumer.on('transportclose', () => this.consumers.delete(consumer.id));
    return {
      id: consumer.id,
      producerId: producer.id,
      kind: consumer.kind,
      rtpParameters: consumer.rtpParameters,
      userId: owner.userId,
      source: owner.source,
      producerPaused: consumer.producerPaused,
    };
  }

  /**
   * The client's tile for this consumer: hidden → stop forwarding; shown → forward the simulcast layer that
   * fits its width (≤ 320 px: low, ≤ 640: middle, else main).
   */
  async setConsumerView(consumerId: string, view: { visible: boolean; width: number; height: number }): Promise<void> {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw new ServiceError('not_found', `no consumer ${consumerId}`);
    if (consumer.kind !== 'video') return;
    if (!view.visible) {
      await consumer.pause();
      return;
    }
    if (consumer.type === 'simulcast') await consumer.setPreferredLayers({ spatialLayer: this.layerFor(consumer, view.width) });
    if (consumer.paused) await consumer.resume();
  }

  /**
   * The smallest simulcast layer at least ~80 % as wide as the tile. Layer widths come from the producer's
   * capture width (sent on produce; 1280 if unknown) and its encodings' scale-down factors.
   */
  private layerFor(consumer: types.Consumer, tileWidth: number): number {
    const { width: captureWidth, encodings } = (consumer.appData as { width?: number; encodings?: number[] }) ?? {};
    const scales = encodings ?? [4, 2, 1];
    const top = captureWidth ?? 1280;
    for (let layer = 0; layer < scales.length; layer += 1) {
      if (top / (scales[layer] ?? 1) >= tileWidth * 0.8) return layer;
    }
    return scales.length - 1;
  }

  /** What this participant receives: for tests and diagnostics. */
  consumerStates(): { producerUserId: string; source: MediaSource; kind: string; paused: boolean; preferredSpatialLayer?: number }[] {
    return [...this.consumers.values()].map((c) => {
      const data = c.appData as { producerUserId: string; source: MediaSource };
      return { producerUserId: data.producerUserId, source: data.source, kind: c.kind, paused: c.paused, ...(c.preferredLayers ? { preferredSpatialLayer: c.preferredLayers.spatialLayer } : {}) };
    });
  }

  get transportDirections(): string[] {
    return [...this.transports.values()].map((t) => String(t.appData.direction));
  }

  private producerBySource(source: MediaSource): types.Producer | undefined {
    for (const entry of this.producers.values()) if (entry.source === source) return entry.producer;
    return undefined;
  }

  producerIds(): string[] {
    return [...this.producers.keys()];
  }

  sourceState(source: MediaSource): SourceState | undefined {
    const producer = this.producerBySource(source);
    return producer && { producerId: producer.id, paused: producer.paused };
  }

  /** A room admin's mute: the one producer of that source (one per source, its kind fixed by the source). */
  async pauseSource(source: MediaSource): Promise<string | undefined> {
    const producer = this.producerBySource(source);
    if (!producer) return undefined;
    await producer.pause();
    return producer.id;
  }

  /** Ends every producer (e.g. moved off a live room's stage). */
  closeProducers(): string[] {
    const ids = [...this.producers.keys()];
    for (const { producer } of this.producers.values()) producer.close();
    this.producers.clear();
    return ids;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    const consumer = this.consumers.get(consumerId);
    if (!consumer) throw new ServiceError('not_found', `no consumer ${consumerId}`);
    await consumer.resume();
    if (consumer.type === 'simulcast') this.nudgeUntilForwarding(consumer, 3);
  }

  /**
   * A simulcast consumer forwards nothing until a key frame of its target layer arrives (`currentLayers` stays
   * unset). Resuming asks for one; if it got lost, the viewer would stare at an empty tile, so ask again a few
   * times, 1.5 s apart, while it is still waiting.
   */
  private nudgeUntilForwarding(consumer: types.Consumer, attempts: number): void {
    if (attempts <= 0) return;
    setTimeout(() => {
      if (consumer.closed || consumer.paused || consumer.producerPaused || consumer.currentLayers !== undefined) return;
      consumer.requestKeyFrame().catch(() => undefined);
      this.nudgeUntilForwarding(consumer, attempts - 1);
    }, 1500).unref();
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    // Closing a transport closes its producers and consumers.
    for (const transport of this.transports.values()) transport.close();
    this.transports.clear();
    this.producers.clear();
    this.consumers.clear();
  }

  private transport(transportId: string): types.WebRtcTransport {
    this.assertOpen();
    const transport = this.transports.get(transportId);
    if (!transport) throw new ServiceError('not_found', `no transport ${transportId}`);
    return transport;
  }

  private assertOpen(): void {
    if (this.closed) throw new ServiceError('not_in_room', 'left the room');
  }
}
