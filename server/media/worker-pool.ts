import { EventEmitter } from 'node:events';
import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

/** Where each worker's WebRtcServer listens: every WebRTC transport of that worker shares its one port. */
export interface WebRtcListenOptions {
  listenIp: string;
  /** The address put into ICE candidates. */
  announcedIp: string;
  /** Further local addresses to listen on, each announced as itself (same port). */
  extraAddresses?: string[];
  /** Worker i listens on port + i (UDP and TCP alike); 0 = any free port of rtcMinPort..rtcMaxPort. */
  port: number;
  protocols: ('udp' | 'tcp')[];
}

export interface WorkerPoolOptions {
  size: number;
  /** The range plain and pipe transports take ports from (and WebRTC servers when `webRtc.port` is 0). */
  rtcMinPort: number;
  rtcMaxPort: number;
  webRtc: WebRtcListenOptions;
  logLevel?: types.WorkerLogLevel;
  /** Wait before replacing a dead worker (doubles while workers keep dying right after starting; max 10 s). */
  respawnDelayMs?: number;
}

/** A worker could not open its WebRTC media port (taken by another process, or not an address of this machine). */
export class MediaListenError extends Error {
  constructor(
    readonly workerIndex: number,
    readonly listenIp: string,
    /** The fixed port it tried; undefined when it picked from the range. */
    readonly port: number | undefined,
    readonly reason: string,
    options?: ErrorOptions,
  ) {
    super(`mediasoup worker ${workerIndex} cannot listen for WebRTC media on ${listenIp} ${port === undefined ? 'a free port' : `port ${port}`}: ${reason}`, options);
  }

  /** The port is taken (mediasoup reports libuv's bind error as text, e.g. "uv_udp_bind() failed: address already in use"). */
  get inUse(): boolean {
    return /address already in use|EADDRINUSE/i.test(this.reason);
  }
}

export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
  routers: number;
  /** The worker's WebRTC media port (UDP and TCP); every WebRTC transport of this worker uses it. */
  rtcPort?: number;
  diedAt?: string;
  /** How many times this slot's worker died and was replaced. */
  restarts: number;
}

interface PooledWorker {
  index: number;
  worker: types.Worker;
  webRtcServer: types.WebRtcServer;
  rtcPort: number | undefined;
  alive: boolean;
  routers: Set<types.Router>;
  /** Transports open on this worker's routers (WebRTC, plain and pipe). */
  transports: number;
  diedAt?: Date;
  startedAt: number;
  restarts: number;
}

/**
 * Owns the mediasoup workers (one per core by default). Hands out routers on the least-loaded live worker and
 * reports each worker's liveness. When a worker dies, mediasoup closes its routers (rooms recreate their media
 * elsewhere, see RoomRegistry) and the pool starts a replacement in the same slot; until it is up, /healthz
 * reports the slot dead (503).
 */
export class WorkerPool extends EventEmitter<{ workerDied: [health: WorkerHealth, error: Error]; workerRespawned: [health: WorkerHealth] }> {
  private readonly workers: PooledWorker[] = [];
  private closed = false;

  private constructor(private readonly options: WorkerPoolOptions) {
    super();
  }

  static async start(options: WorkerPoolOptions): Promise<WorkerPool> {
    const pool = new WorkerPool(options);
    try {
      for (let index = 0; index < options.size; index += 1) await pool.spawn(index);
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  private async spawn(index: number, restarts = 0): Promise<void> {
    const worker = await mediasoup.createWorker({
      logLevel: this.options.logLevel ?? 'warn',
      rtcMinPort: this.options.rtcMinPort,
      rtcMaxPort: this.options.rtcMaxPort,
    });
    let webRtcServer: types.WebRtcServer;
    try {
      webRtcServer = await worker.createWebRtcServer({ listenInfos: this.listenInfos(index) });
    } catch (error) {
      worker.close();
      const port = this.options.webRtc.port === 0 ? undefined : this.options.webRtc.port + index;
      throw new MediaListenError(index, this.options.webRtc.listenIp, port, (error as Error).message, { cause: error });
    }
    if (this.closed) {
      worker.close();
      return;
    }
    const dump = await webRtcServer.dump().catch(() => undefined);
    const rtcPort = dump?.udpSockets[0]?.port ?? dump?.tcpServers[0]?.port;
    const entry: PooledWorker = { index, worker, webRtcServer, rtcPort, alive: true, routers: new Set(), transports: 0, startedAt: Date.now(), restarts };
    this.workers[index] = entry;
    worker.on('died', (error: Error) => {
      entry.alive = false;
      entry.diedAt = new Date();
      entry.routers.clear();
      if (this.closed) return;
      this.emit('workerDied', this.describe(entry), error);
      this.respawn(entry);
    });
  }

  /** One UDP and one TCP listen info on the same port (a fixed port, or one picked from the range). */
  private listenInfos(index: number): types.TransportListenInfo[] {
    const { listenIp, announcedIp, port, protocols, extraAddresses = [] } = this.options.webRtc;
    const where = port === 0 ? { portRange: { min: this.options.rtcMinPort, max: this.options.rtcMaxPort } } : { port: port + index };
    const addresses = [{ ip: listenIp, announcedAddress: announcedIp }, ...extraAddresses.map((ip) => ({ ip, announcedAddress: ip }))];
    return addresses.flatMap((address) => protocols.map((protocol) => ({ protocol, ...address, ...where })));
  }

  private respawn(dead: PooledWorker): void {
    const base = this.options.respawnDelayMs ?? 100;
    // A worker that dies right after starting (bad binary, no ports) must not be restarted in a tight loop.
    const crashLooping = Date.now() - dead.startedAt < 10_000 && dead.restarts > 0;
    const delay = crashLooping ? Math.min(10_000, base * 2 ** Math.min(dead.restarts, 7)) : base;
    setTimeout(() => {
      if (this.closed) return;
      this.spawn(dead.index, dead.restarts + 1).then(
        () => {
          const fresh = this.workers[dead.index];
          if (fresh && fresh !== dead) this.emit('workerRespawned', this.describe(fresh));
        },
        () => this.respawn({ ...dead, startedAt: Date.now(), restarts: dead.restarts + 1 }),
      );
    }, delay).unref();
  }

  /**
   * A new router on the live worker with the fewest routers — among those whose pid is not in `avoid` when
   * there are any (a room spreading over workers) — that worker's pid and its WebRtcServer.
   */
  async createRouter(mediaCodecs: types.RouterRtpCodecCapability[], avoid: readonly number[] = []): Promise<{ router: types.Router; workerPid: number; webRtcServer: types.WebRtcServer }> {
    const live = this.workers.filter((w) => w.alive);
    if (live.length === 0) throw new Error('no live mediasoup worker');
    const fresh = live.filter((w) => !avoid.includes(w.worker.pid));
    const target = (fresh.length > 0 ? fresh : live).reduce((best, w) => (w.routers.size < best.routers.size ? w : best));
    const router = await target.worker.createRouter({ mediaCodecs });
    target.routers.add(router);
    router.observer.once('close', () => target.routers.delete(router));
    router.observer.on('newtransport', (transport) => {
      target.transports += 1;
      transport.observer.once('close', () => (target.transports -= 1));
    });
    return { router, workerPid: target.worker.pid, webRtcServer: target.webRtcServer };
  }

  /** Pids of the live workers. */
  livePids(): number[] {
    return this.workers.filter((w) => w?.alive).map((w) => w.worker.pid);
  }

  /** Open transports per worker slot, for /metrics. */
  transportCounts(): { index: number; transports: number }[] {
    return this.workers.filter(Boolean).map((w) => ({ index: w.index, transports: w.alive ? w.transports : 0 }));
  }

  /** CPU seconds (user + system) and peak RSS (bytes) of each live worker, for /metrics. */
  async resourceUsage(): Promise<{ index: number; cpuSeconds: number; maxRssBytes: number }[]> {
    const live = this.workers.filter((w) => w?.alive);
    const usage = await Promise.all(live.map((w) => w.worker.getResourceUsage().catch(() => undefined)));
    return live.flatMap((w, i) => {
      const u = usage[i];
      // ru_utime/ru_stime are in ms, ru_maxrss in KiB (getrusage via libuv).
      return u ? [{ index: w.index, cpuSeconds: (u.ru_utime + u.ru_stime) / 1000, maxRssBytes: u.ru_maxrss * 1024 }] : [];
    });
  }

  get webRtcProtocols(): readonly ('udp' | 'tcp')[] {
    return this.options.webRtc.protocols;
  }

  health(): WorkerHealth[] {
    return this.workers.map((w) => this.describe(w));
  }

  get healthy(): boolean {
    return this.workers.length > 0 && this.workers.every((w) => w.alive);
  }

  private describe(w: PooledWorker): WorkerHealth {
    return {
      index: w.index,
      pid: w.worker.pid,
      alive: w.alive,
      routers: w.routers.size,
      ...(w.rtcPort !== undefined ? { rtcPort: w.rtcPort } : {}),
      ...(w.diedAt ? { diedAt: w.diedAt.toISOString() } : {}),
      restarts: w.restarts,
    };
  }

  /**
   * Idempotent: closes every worker (and with them every router, transport, producer and consumer), then waits
   * (up to `timeoutMs`) until their processes are gone, so a shutdown never leaves orphans behind.
   */
  async close(timeoutMs = 3000): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const pids: number[] = [];
    for (const w of this.workers) {
      if (!w) continue;
      pids.push(w.worker.pid);
      w.worker.close();
    }
    const deadline = Date.now() + timeoutMs;
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    while (pids.some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  }
}
