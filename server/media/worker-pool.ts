import { EventEmitter } from 'node:events';
import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';

export interface WorkerPoolOptions {
  size: number;
  rtcMinPort: number;
  rtcMaxPort: number;
  logLevel?: types.WorkerLogLevel;
}

export interface WorkerHealth {
  index: number;
  pid: number;
  alive: boolean;
  routers: number;
  diedAt?: string;
}

interface PooledWorker {
  index: number;
  worker: types.Worker;
  alive: boolean;
  routers: Set<types.Router>;
  diedAt?: Date;
}

/**
 * Owns the mediasoup workers (one per core by default). Hands out routers on the least-loaded live worker and
 * reports each worker's liveness. A dead worker stays in the list as unhealthy so /healthz tells the truth;
 * its routers are closed by mediasoup, which cascades to every room that lived on it.
 */
export class WorkerPool extends EventEmitter<{ workerDied: [health: WorkerHealth, error: Error] }> {
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

  private async spawn(index: number): Promise<void> {
    const worker = await mediasoup.createWorker({
      logLevel: this.options.logLevel ?? 'warn',
      rtcMinPort: this.options.rtcMinPort,
      rtcMaxPort: this.options.rtcMaxPort,
    });
    const entry: PooledWorker = { index, worker, alive: true, routers: new Set() };
    this.workers[index] = entry;
    worker.on('died', (error: Error) => {
      entry.alive = false;
      entry.diedAt = new Date();
      entry.routers.clear();
      if (!this.closed) this.emit('workerDied', this.describe(entry), error);
    });
  }

  /** A new router on the live worker with the fewest routers, and that worker's pid. */
  async createRouter(mediaCodecs: types.RtpCodecCapability[]): Promise<{ router: types.Router; workerPid: number }> {
    const live = this.workers.filter((w) => w.alive);
    if (live.length === 0) throw new Error('no live mediasoup worker');
    const target = live.reduce((best, w) => (w.routers.size < best.routers.size ? w : best));
    const router = await target.worker.createRouter({ mediaCodecs });
    target.routers.add(router);
    router.observer.once('close', () => target.routers.delete(router));
    return { router, workerPid: target.worker.pid };
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
      ...(w.diedAt ? { diedAt: w.diedAt.toISOString() } : {}),
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
