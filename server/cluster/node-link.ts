import type { EdgeChannel } from '../media/edge-protocol';
import type { BusMessage, NodeBus } from './bus';
import { BusRpc } from './bus-rpc';
import { type Liveness, placeOn } from './directory';

/**
 * This node's line to the other nodes: the bus, requests with replies over it, and which nodes are alive as
 * the last heartbeat judged (the relay beats and writes `liveness`). It exists before anything that talks to
 * other nodes — media cascading, ringing remote users, relaying requests — so each of those is built with it.
 */
export class NodeLink {
  readonly rpc: BusRpc;
  /** Live nodes as of the last heartbeat, plus suspects: missing, but not yet long enough to be dead. */
  liveness: Liveness = { nodes: [], suspects: new Map(), dead: [] };

  constructor(
    readonly self: string,
    readonly bus: NodeBus,
    private readonly log: (message: string, err?: unknown) => void,
  ) {
    this.rpc = new BusRpc(bus, self);
  }

  /** Live node ids as of the last heartbeat (this node always counts). */
  isLive(node: string): boolean {
    return node === this.self || this.liveness.nodes.some((n) => n.id === node);
  }

  /** The node a new call or room goes to (the least loaded live one). */
  place(): string {
    return placeOn(this.liveness.nodes, this.self);
  }

  /** Fire and forget: a message that cannot be sent is logged (pub/sub keeps nothing anyway). */
  send(node: string, message: BusMessage): void {
    this.bus.send(node, message).catch((err) => this.log(`could not send ${message.t} to node ${node}`, err));
  }

  /** How this node's rooms reach the nodes serving some of their participants, and how edges answer homes. */
  mediaChannel(): EdgeChannel {
    return {
      request: (node, request) => this.rpc.call(node, (id) => ({ t: 'media', id, from: this.self, request })),
      notify: (home, event) => this.send(home, { t: 'mediaEvent', event }),
    };
  }
}
