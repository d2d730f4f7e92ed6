import type { ErrorCode } from '../../protocol';
import { ERROR_CODES } from '../../protocol';
import { ServiceError } from '../errors';
import type { BusMessage, NodeBus } from './bus';

const REQUEST_TIMEOUT_MS = 10_000;
/** How long a node that looks alive may take to answer "are you alive?". */
const PROBE_TIMEOUT_MS = 1000;

type Reply = Extract<BusMessage, { t: 'reply' }>;

/** Requests with replies, and liveness probes, over the node bus (pub/sub has no replies of its own). */
export class BusRpc {
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(err: Error): void; timer: NodeJS.Timeout }>();
  private readonly probes = new Map<number, () => void>();
  private nextId = 1;

  constructor(
    private readonly bus: NodeBus,
    private readonly self: string,
  ) {}

  /** Sends `build(id)` to `node` and resolves with its reply's value (a typed refusal rejects as ServiceError). */
  call(node: string, build: (id: number) => BusMessage): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ServiceError('cluster_unavailable', `node ${node} did not answer in time; try again in a moment`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.bus.send(node, build(id)).catch(() => {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(new ServiceError('cluster_unavailable', 'the cluster bus cannot be reached; try again in a moment'));
      });
    });
  }

  replied(message: Reply): void {
    const waiting = this.pending.get(message.id);
    if (!waiting) return;
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new ServiceError(message.code in ERROR_CODES ? (message.code as ErrorCode) : 'internal', message.message));
  }

  /** Whether `node` answers within a second. */
  probe(node: string): Promise<boolean> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.probes.delete(id);
        resolve(false);
      }, PROBE_TIMEOUT_MS);
      this.probes.set(id, () => {
        clearTimeout(timer);
        resolve(true);
      });
      this.bus.send(node, { t: 'probe', id, from: this.self }).catch(() => undefined);
    });
  }

  ponged(id: number): void {
    this.probes.get(id)?.();
    this.probes.delete(id);
  }

  close(): void {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
  }
}
