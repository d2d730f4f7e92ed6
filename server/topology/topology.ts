import type { ClientRequest } from '../../protocol/client-messages';
import type { ClientLink } from '../domain/links';
import type { RoomDescription } from '../domain/room-description';
import type { RoomKind } from '../domain/rooms';
import type { Identity } from '../domain/tokens';

/** Runs a request on this node (signaling's handler table). */
export type LocalHandler = (link: ClientLink, request: ClientRequest) => Promise<unknown>;

/** The session of a node that died, which this node may continue (same connection id, so its room keeps it). */
export interface AdoptableSession {
  readonly linkId: string;
  /** The session runs here now: its room (wherever it is) sends its notifications here, or is continued. */
  adopt(link: ClientLink): void;
}

/**
 * Where calls, rooms and sessions live, as signaling and HTTP see it. Two implementations: one node
 * (`single-node.ts`: everything is here) and a cluster (`cluster.ts`: each call and room has a home node,
 * requests go there, sessions of a dead node are adopted). Nothing outside `server/topology/` and
 * `server/cluster/` can tell which one runs.
 */
export interface Topology {
  readonly kind: 'single-node' | 'cluster';
  /** Runs the client's request on the node its `REQUEST_ROUTING` names (always here on one node). */
  dispatch(link: ClientLink, request: ClientRequest): Promise<unknown>;
  /** How requests run on this node, here and for other nodes; signaling registers it once as it starts. */
  serveLocally(handler: LocalHandler): void;
  /** A resume token this node does not know: the session of a dead node to continue here, if any. */
  adoptable(resumeToken: string, identity: Identity): Promise<AdoptableSession | undefined>;
  /** A session started here (new or adopted): recorded so another node could continue it. */
  sessionOpened(link: ClientLink, resumeToken: string): void;
  /** The client's connection dropped or came back: the others in its room (wherever it is) see it. */
  connectionChanged(link: ClientLink, connected: boolean): void;
  /** The client is gone for good: its room (wherever it is) hears it. */
  clientGone(link: ClientLink, lost: boolean): void;
  /** Whether another node holds the client's room (a draining node must not move such a client away). */
  heldElsewhere(link: ClientLink): boolean;
  /** Whether node `id` is alive as this node sees it (one node: only itself). */
  isLive(node: string): boolean;
  /** Whether this node reaches the other nodes right now (one node: always). */
  readonly connected: boolean;
  /** A live room as the REST API shows it, from whichever node holds it; undefined when none does. */
  describeRoom(tenantKey: string, roomId: string, kind?: RoomKind): Promise<RoomDescription | undefined>;
}
