import type { types } from 'mediasoup';
import type { ConsumerOptions, MediaSource, ProducerInfo, TransportOptions } from '../../protocol';
import { ServiceError } from '../errors';

export interface PeerMediaEvents {
  onConsumerClosed(consumerId: string, producerId: string): void;
}

/** mediasoup rejects invalid client-supplied parameters with TypeError: that is the client's error, typed. */
async function clientInput<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof TypeError) throw new ServiceError('media_error', `invalid ${what}: ${error.message.trim() || 'rejected by the media server'}`);
    throw error;
  }
}

/** The producer's simulcast scale-down factors, when the client sent them. */
function scaleFactors(producer: types.Producer): number[] | undefined {
  // Browsers send scaleResolutionDownBy in each encoding; mediasoup keeps it but no longer types it (3.13+).
  const scales = producer.rtpParameters.encodings?.map((e) => (e as { scaleResolutionDownBy?: number }).scaleResolutionDownBy);
  return scales && scales.length > 1 && scales.every((s) => typeof s === 'number') ? (scales as number[]) : undefined;
}

/** Where this peer's WebRTC transports listen: the worker's WebRtcServer (one port for all), and its protocols. */
export interface TransportListenOptions {
  webRtcServer: types.WebRtcServer;
  protocols: readonly ('udp' | 'tcp')[];
}

/**
 * One participant's media inside a room: its send/recv WebRTC transports, producers and consumers.
 * Owned by RoomMedia; `close()` is idempotent and closes every object it owns.
 */
export class PeerMedia {
  private readonly transports = new Map<string, types.WebRtcTransport>();
  readonly producers = new Map<string, { producer: types.Producer; source: MediaSource }>();
  private readonly consumers = new Map<string, types.Consumer>();
  private rtpCapabilities: types.RtpCapabilities | undefined;
  private closed = false;

  constructor(
    readonly userId: string,
    private readonly router: types.Router,
    private readonly listen: TransportListenOptions,
    private readonly events: PeerMediaEvents,
    private readonly speakers?: types.ActiveSpeakerObserver,
  ) {}

  async createTransport(direction: 'send' | 'recv'): Promise<TransportOptions> {
    this.assertOpen();
    const transport = await this.router.createWebRtcTransport({
      webRtcServer: this.listen.webRtcServer,
      enableUdp: this.listen.protocols.includes('udp'),
      enableTcp: this.listen.protocols.includes('tcp'), // for networks that block UDP
      preferUdp: true,
      initialAvailableOutgoingBitrate: 1_000_000,
      appData: { direction },
    });
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
    const producer = await clientInput('rtpParameters', () =>
      transport.produce({ kind, rtpParameters: rtpParameters as types.RtpParameters, paused, appData: { userId: this.userId, source, width } }),
    );
    this.producers.set(producer.id, { producer, source });
    if (source === 'mic' && this.speakers && !this.speakers.closed) await this.speakers.addProducer({ producerId: producer.id }).catch(() => undefined);
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
    const canConsume = await clientInput('rtpCapabilities', async () => this.router.canConsume({ producerId: producer.id, rtpCapabilities }));
    if (!canConsume) {
      throw new ServiceError('media_error', 'your device cannot receive this stream');
    }
    const transport = [...this.transports.values()].find((t) => t.appData.direction === 'recv');
    if (!transport) throw new ServiceError('invalid_state', 'create a recv transport first');
    // Paused until the client has attached the track, so no key frame is lost before it can render.
    const producerData = producer.appData as { width?: number };
    const consumer = await transport.consume({
      producerId: producer.id,
      rtpCapabilities: this.rtpCapabilities,
      paused: true,
      appData: {
        producerUserId: owner.userId,
        source: owner.source,
        width: producerData.width,
        encodings: scaleFactors(producer),
      },
    });
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

  /** A room admin pauses one of this participant's producers. */
  producerBySource(source: MediaSource): types.Producer | undefined {
    for (const entry of this.producers.values()) if (entry.source === source) return entry.producer;
    return undefined;
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
