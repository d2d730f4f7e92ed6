import type { ClientRequestType } from '../../protocol';
import type { EdgeEvent, EdgeRequest } from '../media/edge-protocol';
import type { LinkRef, RoomRef } from './directory';

/**
 * What nodes say to each other (Redis pub/sub, one channel per node). Trusted — only nodes publish — but
 * parsed defensively: a message that does not parse is dropped and logged, never thrown.
 */
export type BusMessage =
  /** Put `link` back into `room` here (its node died; this node continues the room); answered with `reply`. */
  | { t: 'recover'; id: number; from: string; link: LinkRef; room: RoomRef }
  /** Run this client request for `link` here (this node holds the call or room); answer with `reply`. */
  | { t: 'request'; id: number; from: string; link: LinkRef; request: { type: ClientRequestType } & Record<string, unknown> }
  | { t: 'reply'; id: number; ok: true; value: unknown }
  | { t: 'reply'; id: number; ok: false; code: string; message: string }
  /** Send this notification to the client on `linkId` (its socket is here). */
  | { t: 'notify'; linkId: string; notification: { type: string } & Record<string, unknown> }
  /** The client left this node's room: requests about rooms and media stop being relayed here. */
  | { t: 'left'; linkId: string; from: string }
  /** The client is gone for good (`lost`: its connection dropped and did not come back). */
  | { t: 'gone'; link: LinkRef; lost: boolean }
  /** Are you alive? (a node about to adopt a session of yours asks first) — answered with `pong`. */
  | { t: 'probe'; id: number; from: string }
  | { t: 'pong'; id: number }
  /** The client's socket moved to `link.node` (its old node died): send its notifications there. */
  | { t: 'rebind'; link: LinkRef }
  /** The client's connection dropped (`connected: false`) or came back. */
  | { t: 'connection'; link: LinkRef; connected: boolean }
  /** Cascading: a room's home asks this node (an edge serving some of its participants); answered with `reply`. */
  | { t: 'media'; id: number; from: string; request: EdgeRequest }
  /** Cascading: an edge tells a room's home something (a consumer closed, the edge lost the room). */
  | { t: 'mediaEvent'; event: EdgeEvent }
  /** Describe this node's live room (REST GET /v1/rooms/:roomId on another node); answered with `reply`. */
  | { t: 'describeRoom'; id: number; from: string; tenantKey: string; room: RoomRef };

/** A channel to every node, addressed by node id. */
export interface NodeBus {
  send(node: string, message: BusMessage): Promise<void>;
  onMessage(handler: (message: BusMessage) => void): void;
  /** Connected both ways right now (messages sent to this node while it is not are lost: pub/sub keeps nothing). */
  readonly connected: boolean;
  close(): Promise<void>;
}
