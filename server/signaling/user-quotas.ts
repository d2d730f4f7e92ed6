import type { Identity } from '../domain/tokens';
import type { SignalingLimits } from '../config';
import { KeyCount } from '../domain/key-count';
import { RateLimiter } from './rate-limiter';

/** What an admitted connection holds: the user's shared message budget and its place in the counts. */
export interface Admission {
  /** Shared by every connection of this user: the message rate limit is per user, not per socket. */
  readonly limiter: RateLimiter;
  /** Gives the place back (idempotent). */
  release(): void;
}

export type AdmissionRefusal = { code: 'too_many_connections'; message: string };

interface UserEntry {
  connections: number;
  limiter: RateLimiter;
  forgetTimer: NodeJS.Timeout | undefined;
}

/**
 * Connections per user (all tabs, devices and sockets of one userId in one app environment) and per app
 * environment, and the user's message budget. A user's entry outlives its last connection until the budget
 * would be full again, so closing and reopening sockets does not refill it.
 */
export class SignalingQuotas {
  private readonly users = new Map<string, UserEntry>();
  private readonly tenants = new KeyCount();
  /** Sockets that have not sent hello yet, per client address (they hold memory until the hello timeout). */
  private readonly unauthenticated = new KeyCount();

  constructor(private readonly limits: Pick<SignalingLimits, 'connectionsPerUser' | 'messagesPerSecond' | 'messageBurst' | 'unauthenticatedPerAddress'>) {}

  /** A place for one more socket before hello from `address`, as its release, or undefined when it has too many. */
  admitUnauthenticated(address: string): (() => void) | undefined {
    return this.unauthenticated.of(address) < this.limits.unauthenticatedPerAddress ? this.unauthenticated.take(address) : undefined;
  }

  /**
   * A place for one more connection of this user, or the refusal. `replacing`: the connection takes over a
   * session whose socket is still open (a resume), which is about to close — it may briefly exceed the cap.
   */
  admit(identity: Identity, replacing: boolean): Admission | AdmissionRefusal {
    const tenantKey = identity.tenant.key;
    const key = `${tenantKey}\u0000${identity.userId}`;
    const user = this.users.get(key);
    const tenantCount = this.tenants.of(tenantKey);
    if (!replacing) {
      if ((user?.connections ?? 0) >= this.limits.connectionsPerUser) {
        return { code: 'too_many_connections', message: `at most ${this.limits.connectionsPerUser} connections per user; close another tab or device first` };
      }
      const tenantCap = identity.tenant.settings.limits.maxConnections;
      if (tenantCount >= tenantCap) return { code: 'too_many_connections', message: `this app environment has its ${tenantCap} connections open` };
    }
    const entry = user ?? { connections: 0, limiter: new RateLimiter(this.limits.messagesPerSecond, this.limits.messageBurst), forgetTimer: undefined };
    clearTimeout(entry.forgetTimer);
    entry.forgetTimer = undefined;
    entry.connections += 1;
    this.users.set(key, entry);
    const releaseTenant = this.tenants.take(tenantKey);
    let released = false;
    return {
      limiter: entry.limiter,
      release: () => {
        if (released) return;
        released = true;
        entry.connections -= 1;
        releaseTenant();
        if (entry.connections > 0) return;
        const refillMs = (this.limits.messageBurst / this.limits.messagesPerSecond) * 1000;
        entry.forgetTimer = setTimeout(() => {
          if (entry.connections === 0 && this.users.get(key) === entry) this.users.delete(key);
        }, refillMs);
        entry.forgetTimer.unref();
      },
    };
  }

  /** Open connections of an app environment (for /metrics and tests). */
  connectionsOf(tenantKey: string): number {
    return this.tenants.of(tenantKey);
  }
}
