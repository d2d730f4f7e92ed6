import { KeyCount } from '../domain/key-count';
import { ServiceError } from '../errors';

/**
 * Open WebRTC transports per tenant and on this node. Every transport holds worker memory and CPU, so one app
 * (or one user minting tokens) must not be able to take them all: a tenant is refused at its own cap
 * (`limit_exceeded`) long before the node's (`server_busy`), and never affects another tenant below that.
 */
export class TransportBudget {
  private readonly byTenant = new KeyCount();
  private total = 0;

  constructor(
    private readonly maxPerNode: number,
    private readonly maxForTenant: (tenantKey: string) => number,
  ) {}

  /** Takes one place for `tenantKey`, or refuses; the returned release is idempotent. */
  acquire(tenantKey: string): () => void {
    const used = this.byTenant.of(tenantKey);
    const max = this.maxForTenant(tenantKey);
    if (used >= max) throw new ServiceError('limit_exceeded', `this app has ${max} media transports open, its limit (limits.maxTransports); end a call first`);
    if (this.total >= this.maxPerNode) throw new ServiceError('server_busy', `this server carries its maximum of ${this.maxPerNode} media transports (MAX_TRANSPORTS); try again later`);
    const release = this.byTenant.take(tenantKey);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      release();
    };
  }

  /** Open transports of one tenant (all tenants without an argument). */
  used(tenantKey?: string): number {
    return tenantKey === undefined ? this.total : this.byTenant.of(tenantKey);
  }
}

/** What a room's media takes transports from: the node's budget, bound to the room's tenant. */
export type TransportLease = () => () => void;
