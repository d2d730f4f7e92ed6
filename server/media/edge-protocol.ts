import type { MediaSource } from '../../protocol';

// What a room's home node asks of a node serving some of that room's participants (an edge), and what the
// edge tells the home back. Plain data (it travels over the cluster bus); only server/media/ reads it.
// Nodes are trusted — only nodes publish on the bus — but every id is looked up, never assumed.

/** A participant's media call, run on the edge for the peer `userId` of the room. */
export type EdgePeerCall =
  | { m: 'createTransport'; direction: 'send' | 'recv' }
  | { m: 'connectTransport'; transportId: string; dtlsParameters: unknown }
  | { m: 'restartIce'; transportId: string }
  | { m: 'produce'; transportId: string; kind: 'audio' | 'video'; rtpParameters: unknown; source: MediaSource; paused: boolean; width?: number }
  | { m: 'setProducerPaused'; producerId: string; paused: boolean }
  | { m: 'closeProducer'; producerId: string }
  | { m: 'consume'; producerId: string; rtpCapabilities: unknown }
  | { m: 'setConsumerView'; consumerId: string; view: { visible: boolean; width: number; height: number } }
  | { m: 'resumeConsumer'; consumerId: string }
  | { m: 'close' };

/** Who is asking: the room's media on its home node (one id per RoomMedia, so a recreated room is new). */
export interface EdgeAddress {
  mediaId: string;
  home: string;
  /** The room's tenant: the edge's transports draw on its budget there. */
  tenantKey: string;
}

export type EdgeRequest = EdgeAddress &
  (
    /** Connect the room's pipe transport (SRTP) on the edge to the home's: answered with the edge's side. */
    | { op: 'pipe.connect'; ip: string; port: number; srtpParameters: unknown }
    /** A producer of the home, as consumed on the home's pipe transport: produce it on the edge's. */
    | { op: 'pipe.produce'; producerId: string; kind: 'audio' | 'video'; rtpParameters: unknown; paused: boolean; appData: PipedProducerData }
    | { op: 'pipe.pause'; producerId: string; paused: boolean }
    | { op: 'pipe.close'; producerId: string }
    /** Consume an edge participant's producer on the edge's pipe transport (the home produces it on its own). */
    | { op: 'pipe.consume'; producerId: string }
    | { op: 'peer'; userId: string; call: EdgePeerCall }
    | { op: 'close' }
  );

/** What a piped producer carries along (mediasoup's appData of the original). */
export interface PipedProducerData {
  userId: string;
  source: MediaSource;
  width?: number;
  encodings?: number[];
}

/** The edge's side of a pipe, or a producer consumed on it. */
export interface PipeEnd {
  ip: string;
  port: number;
  srtpParameters: unknown;
}
export interface PipedConsumer {
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  paused: boolean;
}

/** What an edge tells a room's home. */
export type EdgeEvent =
  | { mediaId: string; type: 'consumerClosed'; userId: string; consumerId: string; producerId: string }
  /** The edge lost the room's media (its worker died): the home treats it like losing a router. */
  | { mediaId: string; type: 'closed' };

/** How a home reaches its edges and an edge its homes (the cluster bus, or anything else that carries data). */
export interface EdgeChannel {
  /** Sends `request` to `node`'s EdgeHost; resolves with its answer, rejects with its typed error. */
  request(node: string, request: EdgeRequest): Promise<unknown>;
  /** Tells `home` something about one of its rooms (fire and forget). */
  notify(home: string, event: EdgeEvent): void;
}
