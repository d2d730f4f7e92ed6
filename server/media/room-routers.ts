import type { types } from 'mediasoup';
import { ROUTER_MEDIA_CODECS } from './codecs';
import type { WorkerPool } from './worker-pool';

/** A router of a room and what its WebRTC transports listen on (its worker's WebRtcServer). */
export interface RouterSite {
  router: types.Router;
  workerPid: number;
  listen: TransportListenOptions;
}

/** Where a peer's WebRTC transports listen: the worker's WebRtcServer (one port for all), and its protocols. */
export interface TransportListenOptions {
  webRtcServer: types.WebRtcServer;
  protocols: readonly ('udp' | 'tcp')[];
}

interface Slot {
  ready: Promise<RouterSite>;
  /** Known once `ready` settles (the pool picks the worker). */
  workerPid?: number;
  peers: number;
}

/**
 * The routers of one room on this node. The first carries up to `peersPerRouter` peers; past that a peer
 * goes to a router on another worker (created on demand), so one room — a live room with many viewers —
 * is not bound to one worker's core. A producer is made available on another router of the room by
 * `pipeToRouter` (mediasoup's pipe transport pair between the two routers, kept per router pair); each pipe
 * producer is made once and forgotten when it closes (it closes with its original).
 */
export class RoomRouters {
  private readonly slots: Slot[];
  private readonly piped = new Map<string, Promise<types.Producer>>();
  private closed = false;

  constructor(
    private readonly pool: WorkerPool,
    readonly primary: RouterSite,
    private readonly peersPerRouter: number,
    /** A router of the room closed without `close()` (its worker died). */
    private readonly onLost: () => void,
  ) {
    this.slots = [{ ready: Promise.resolve(primary), workerPid: primary.workerPid, peers: 0 }];
    this.watch(primary);
  }

  /**
   * The router for a new peer, chosen now (a peer's media object exists before its router may): the least
   * busy router below the bound, else a new one on a worker this room does not use yet, else the least busy.
   * `release` gives its place back when the peer leaves.
   */
  assign(): { site: Promise<RouterSite>; release(): void } {
    const least = this.slots.reduce((best, s) => (s.peers < best.peers ? s : best));
    let slot = least;
    if (least.peers >= this.peersPerRouter) {
      const used = this.slots.map((s) => s.workerPid);
      if (this.pool.livePids().some((pid) => !used.includes(pid)) && !this.slots.some((s) => s.workerPid === undefined)) slot = this.addSlot(used);
    }
    slot.peers += 1;
    let released = false;
    return {
      site: slot.ready,
      release: () => {
        if (released) return;
        released = true;
        slot.peers -= 1;
      },
    };
  }

  private addSlot(avoid: (number | undefined)[]): Slot {
    const slot: Slot = { ready: undefined as unknown as Promise<RouterSite>, peers: 0 };
    slot.ready = this.pool.createRouter(ROUTER_MEDIA_CODECS, avoid.filter((pid): pid is number => pid !== undefined)).then(({ router, workerPid, webRtcServer }) => {
      const site: RouterSite = { router, workerPid, listen: { webRtcServer, protocols: this.pool.webRtcProtocols } };
      slot.workerPid = workerPid;
      if (this.closed) router.close();
      else this.watch(site);
      return site;
    });
    // A failure reaches the peers waiting on it (createTransport rejects); the slot is dropped for later peers.
    slot.ready.catch(() => this.slots.splice(this.slots.indexOf(slot), 1));
    this.slots.push(slot);
    return slot;
  }

  private watch(site: RouterSite): void {
    site.router.observer.once('close', () => {
      if (!this.closed) this.onLost();
    });
  }

  /** Worker pids of this room's routers (operators' /status). */
  get workerPids(): number[] {
    return this.slots.flatMap((s) => (s.workerPid === undefined ? [] : [s.workerPid]));
  }

  /** `producer` (living on `from`) as a producer on `to`: itself when they are the same router. */
  producerOn(producer: types.Producer, from: types.Router, to: types.Router): Promise<types.Producer> {
    if (from === to) return Promise.resolve(producer);
    const key = `${producer.id} ${to.id}`;
    let pipe = this.piped.get(key);
    if (!pipe) {
      pipe = from.pipeToRouter({ producerId: producer.id, router: to, keepId: true }).then(({ pipeProducer }) => {
        if (!pipeProducer) throw new Error('pipeToRouter returned no producer');
        pipeProducer.observer.once('close', () => this.piped.delete(key));
        return pipeProducer;
      });
      pipe.catch(() => this.piped.delete(key));
      this.piped.set(key, pipe);
    }
    return pipe;
  }

  /** Idempotent: closes every router (with them their transports, producers, consumers and pipes). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const slot of this.slots) void slot.ready.then((site) => site.router.close(), () => undefined);
    this.piped.clear();
  }
}
