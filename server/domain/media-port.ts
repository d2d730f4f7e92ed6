import type { ConsumerOptions, MediaSource, ProducerInfo, TransportOptions } from '../../protocol';

// The media side as the domain, HTTP and signaling see it: ids and plain data in and out, never a mediasoup
// object. server/media/ implements these ports (RoomMedia, PeerMedia); nothing else knows mediasoup exists —
// which is what lets a room's media later live on another worker or node behind the same port.

export interface PeerMediaEvents {
  onConsumerClosed(consumerId: string, producerId: string): void;
}

export interface RoomMediaEvents {
  /** The router died with its worker: every participant's media is gone. */
  onRouterClosed(): void;
  /** The dominant speaker changed (ActiveSpeakerObserver over every mic). */
  onActiveSpeaker?(userId: string): void;
}

/** One source a participant publishes, as plain data. */
export interface SourceState {
  producerId: string;
  paused: boolean;
}

/** One participant's media in a room: transports, producers and consumers, addressed by id. */
export interface PeerMediaPort {
  readonly userId: string;
  createTransport(direction: 'send' | 'recv'): Promise<TransportOptions>;
  connectTransport(transportId: string, dtlsParameters: unknown): Promise<void>;
  restartIce(transportId: string): Promise<unknown>;
  setRtpCapabilities(rtpCapabilities: unknown): void;
  produce(transportId: string, kind: 'audio' | 'video', rtpParameters: unknown, source: MediaSource, paused?: boolean, width?: number): Promise<ProducerInfo>;
  setProducerPaused(producerId: string, paused: boolean): Promise<void>;
  closeProducer(producerId: string): void;
  /** Ends every producer (e.g. moved off a live room's stage); returns their ids. */
  closeProducers(): string[];
  producerIds(): string[];
  /** What this participant publishes from `source`, if anything. */
  sourceState(source: MediaSource): SourceState | undefined;
  /** Pauses the producer of `source` (a room admin's mute); its id, or undefined when there is none. */
  pauseSource(source: MediaSource): Promise<string | undefined>;
  setConsumerView(consumerId: string, view: { visible: boolean; width: number; height: number }): Promise<void>;
  resumeConsumer(consumerId: string): Promise<void>;
  /** What this participant receives: for tests and diagnostics. */
  consumerStates(): { producerUserId: string; source: MediaSource; kind: string; paused: boolean; preferredSpatialLayer?: number }[];
  readonly transportDirections: string[];
  close(): void;
}

/** The media side of one room. */
export interface RoomMediaPort {
  readonly rtpCapabilities: unknown;
  readonly isClosed: boolean;
  /** The worker process serving this room (operators' /status, tests that kill it). */
  readonly workerPid: number;
  /**
   * `servedBy`: the cluster node the participant's socket is on, when it is another node — its media may be
   * served there (cascading) instead of here.
   */
  addPeer(userId: string, events: PeerMediaEvents, preparedKey?: string, servedBy?: string): PeerMediaPort;
  preparePeer(key: string, userId: string, events: PeerMediaEvents): PeerMediaPort;
  preparedPeer(key: string): PeerMediaPort | undefined;
  discardPrepared(key: string): void;
  removePeer(userId: string): void;
  peer(userId: string): PeerMediaPort;
  /** Every producer in the room, except `exceptUserId`'s own. */
  producers(exceptUserId?: string): ProducerInfo[];
  /** How many simulcast layers a producer sends (1 without simulcast): diagnostics and tests. */
  layerCount(producerId: string): number;
  consume(consumerUserId: string, producerId: string): Promise<ConsumerOptions>;
  close(): void;
}
