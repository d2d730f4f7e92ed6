import type { types } from 'mediasoup';
import { EdgeHost, type PipeListen } from './edge-host';
import { EdgeLink } from './edge-link';
import type { EdgeAddress, EdgeChannel, EdgeEvent, EdgeRequest } from './edge-protocol';
import type { TransportLease } from './transport-budget';
import type { WorkerPool } from './worker-pool';

export type { EdgeChannel, EdgeEvent, EdgeRequest } from './edge-protocol';

/** What a room's media on its home does with what its edges tell it. */
export interface CascadedRoom {
  onEdgeEvent(event: EdgeEvent): void;
  edgeDied(node: string): void;
}

/** What the rest of the server may see of cascading (no mediasoup types): this node's share of others' rooms. */
export interface CascadeStatus {
  served(): Promise<{ rooms: number; peers: number }>;
}

/**
 * This node's part in cascading (a cluster): homes of rooms some of whose participants other nodes serve,
 * and edge for rooms of other nodes. Requests and events arrive from the bus (`handle`, `event`); a dead
 * node's links and edge rooms are dropped (`nodeDied`).
 */
export class MediaCascade implements CascadeStatus {
  private readonly homes = new Map<string, CascadedRoom>();
  private readonly edges: EdgeHost;

  constructor(
    readonly self: string,
    private readonly channel: EdgeChannel,
    readonly listen: PipeListen,
    pool: WorkerPool,
    peersPerRouter: number,
    lease: (tenantKey: string) => TransportLease,
    /** Whether a node is alive now (a participant whose node is not is served here). */
    readonly isLive: (node: string) => boolean,
  ) {
    this.edges = new EdgeHost(pool, listen, peersPerRouter, lease, channel);
  }

  /** A link from a room here to the edge `node`. */
  link(node: string, address: EdgeAddress, router: types.Router): EdgeLink {
    return new EdgeLink(node, address, router, this.listen, this.channel);
  }

  registerHome(mediaId: string, room: CascadedRoom): () => void {
    this.homes.set(mediaId, room);
    return () => this.homes.delete(mediaId);
  }

  handle(request: EdgeRequest): Promise<unknown> {
    return this.edges.handle(request);
  }

  event(event: EdgeEvent): void {
    this.homes.get(event.mediaId)?.onEdgeEvent(event);
  }

  served(): Promise<{ rooms: number; peers: number }> {
    return this.edges.served();
  }

  nodeDied(node: string): void {
    this.edges.homeDied(node);
    for (const room of [...this.homes.values()]) room.edgeDied(node);
  }

  close(): void {
    this.edges.close();
  }
}
