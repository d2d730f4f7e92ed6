import type { ConsumerOptions, MediaSource, ProducerInfo, TransportOptions } from '../../protocol';
import type { PeerMediaEvents, PeerMediaPort, SourceState } from '../domain/media-port';
import { ServiceError } from '../errors';
import type { EdgeLink } from './edge-link';
import type { EdgePeerCall, PipedProducerData } from './edge-protocol';

/** What the room does when a remote participant's producer changes (its copies here follow). */
export interface RemotePeerHooks {
  onProducerChanged(producerId: string, change: 'pause' | 'resume' | 'close'): void;
  onMic(producerId: string): void;
}

interface Published extends ProducerInfo {
  layers: number;
  data: PipedProducerData;
}

/** Scale-down factors of a client's simulcast encodings, as PeerMedia keeps them (for layer choice). */
function scalesOf(rtpParameters: unknown): { layers: number; encodings?: number[] } {
  const encodings = (rtpParameters as { encodings?: { scaleResolutionDownBy?: unknown }[] } | undefined)?.encodings ?? [];
  const scales = encodings.map((e) => e.scaleResolutionDownBy);
  const numeric = scales.length > 1 && scales.every((s): s is number => typeof s === 'number');
  return { layers: Math.max(1, encodings.length), ...(numeric ? { encodings: scales } : {}) };
}

/**
 * A participant of a room here whose media another node serves (its socket is there; cascading): the same
 * port as PeerMedia, each call run on that node's EdgeHost. What the domain reads synchronously — producers,
 * consumers, transport directions — is mirrored from the answers.
 */
export class RemotePeerMedia implements PeerMediaPort {
  private readonly published = new Map<string, Published>();
  private readonly consumers = new Map<string, { producerUserId: string; source: MediaSource; kind: string; paused: boolean; producerId: string }>();
  private readonly directions: string[] = [];
  private rtpCapabilities: unknown;
  private closed = false;

  constructor(
    readonly userId: string,
    readonly edge: EdgeLink,
    private readonly events: PeerMediaEvents,
    private readonly hooks: RemotePeerHooks,
  ) {}

  private call(call: EdgePeerCall): Promise<unknown> {
    if (this.closed) return Promise.reject(new ServiceError('not_in_room', 'left the room'));
    return this.edge.request({ op: 'peer', userId: this.userId, call });
  }

  async createTransport(direction: 'send' | 'recv'): Promise<TransportOptions> {
    const options = (await this.call({ m: 'createTransport', direction })) as TransportOptions;
    this.directions.push(direction);
    return options;
  }

  async connectTransport(transportId: string, dtlsParameters: unknown): Promise<void> {
    await this.call({ m: 'connectTransport', transportId, dtlsParameters });
  }

  restartIce(transportId: string): Promise<unknown> {
    return this.call({ m: 'restartIce', transportId });
  }

  setRtpCapabilities(rtpCapabilities: unknown): void {
    this.rtpCapabilities = rtpCapabilities;
  }

  async produce(transportId: string, kind: 'audio' | 'video', rtpParameters: unknown, source: MediaSource, paused = false, width?: number): Promise<ProducerInfo> {
    const info = (await this.call({ m: 'produce', transportId, kind, rtpParameters, source, paused, ...(width !== undefined ? { width } : {}) })) as ProducerInfo;
    const { layers, encodings } = scalesOf(rtpParameters);
    this.published.set(info.producerId, { ...info, layers, data: { userId: this.userId, source, ...(width !== undefined ? { width } : {}), ...(encodings ? { encodings } : {}) } });
    if (source === 'mic') this.hooks.onMic(info.producerId);
    return info;
  }

  private mine(producerId: string): Published {
    const entry = this.published.get(producerId);
    if (!entry) throw new ServiceError('not_found', `no producer ${producerId} of yours`);
    return entry;
  }

  async setProducerPaused(producerId: string, paused: boolean): Promise<void> {
    const entry = this.mine(producerId);
    await this.call({ m: 'setProducerPaused', producerId, paused });
    entry.paused = paused;
    this.hooks.onProducerChanged(producerId, paused ? 'pause' : 'resume');
  }

  closeProducer(producerId: string): void {
    this.mine(producerId);
    this.published.delete(producerId);
    this.hooks.onProducerChanged(producerId, 'close');
    this.call({ m: 'closeProducer', producerId }).catch(() => undefined);
  }

  closeProducers(): string[] {
    const ids = [...this.published.keys()];
    for (const id of ids) this.closeProducer(id);
    return ids;
  }

  producerIds(): string[] {
    return [...this.published.keys()];
  }

  /** Whether this participant publishes `producerId`, and what a copy of it carries. */
  publishedData(producerId: string): PipedProducerData | undefined {
    return this.published.get(producerId)?.data;
  }

  producerInfos(): ProducerInfo[] {
    return [...this.published.values()].map(({ producerId, userId, kind, source, paused }) => ({ producerId, userId, kind, source, paused }));
  }

  layerCount(producerId: string): number | undefined {
    return this.published.get(producerId)?.layers;
  }

  sourceState(source: MediaSource): SourceState | undefined {
    const entry = [...this.published.values()].find((p) => p.source === source);
    return entry && { producerId: entry.producerId, paused: entry.paused };
  }

  async pauseSource(source: MediaSource): Promise<string | undefined> {
    const state = this.sourceState(source);
    if (!state) return undefined;
    await this.setProducerPaused(state.producerId, true);
    return state.producerId;
  }

  /** A consumer on the edge of a producer the room made available there. */
  async consume(producerId: string): Promise<ConsumerOptions> {
    if (this.rtpCapabilities === undefined) throw new ServiceError('invalid_state', 'send media.setRtpCapabilities first');
    const options = (await this.call({ m: 'consume', producerId, rtpCapabilities: this.rtpCapabilities })) as ConsumerOptions;
    this.consumers.set(options.id, { producerUserId: options.userId, source: options.source, kind: options.kind, paused: true, producerId });
    return options;
  }

  /** The edge says a consumer ended with its producer. */
  consumerClosed(consumerId: string, producerId: string): void {
    if (!this.consumers.delete(consumerId)) return;
    this.events.onConsumerClosed(consumerId, producerId);
  }

  async setConsumerView(consumerId: string, view: { visible: boolean; width: number; height: number }): Promise<void> {
    await this.call({ m: 'setConsumerView', consumerId, view });
    const consumer = this.consumers.get(consumerId);
    if (consumer && consumer.kind === 'video') consumer.paused = !view.visible;
  }

  async resumeConsumer(consumerId: string): Promise<void> {
    await this.call({ m: 'resumeConsumer', consumerId });
    const consumer = this.consumers.get(consumerId);
    if (consumer) consumer.paused = false;
  }

  consumerStates(): { producerUserId: string; source: MediaSource; kind: string; paused: boolean }[] {
    return [...this.consumers.values()].map(({ producerUserId, source, kind, paused }) => ({ producerUserId, source, kind, paused }));
  }

  get transportDirections(): string[] {
    return [...this.directions];
  }

  close(): void {
    if (this.closed) return;
    for (const id of this.published.keys()) this.hooks.onProducerChanged(id, 'close');
    this.published.clear();
    this.call({ m: 'close' }).catch(() => undefined);
    this.closed = true;
  }
}
