/** How many wrong App Key/secret attempts are allowed per minute before a caller is refused outright. */
export interface AuthFailureLimits {
  /** Per client address and App Key (someone guessing one app's secret). */
  perAppKeyAndAddress: number;
  /** Per client address, whatever App Keys it tries. */
  perAddress: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: AuthFailureLimits = { perAppKeyAndAddress: 10, perAddress: 30 };

const WINDOW_MS = 60_000;
/** Counters kept at most (each ~100 bytes); the oldest are dropped first, so memory stays bounded. */
const MAX_ENTRIES = 100_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Failed REST authentications per (App Key, client address) and per client address, in one-minute windows.
 * While a caller is over either limit, every request of it is refused with 429 before its credentials are
 * looked at — so guessing gets no answers, and a site's backend at another address is never locked out.
 */
export class AuthFailureLimiter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly limits: AuthFailureLimits = DEFAULT_AUTH_FAILURE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds until this caller may try again, or 0 when it may try now. */
  retryAfterSeconds(appKey: string | undefined, address: string): number {
    const t = this.now();
    const over = (key: string, max: number) => {
      const w = this.windows.get(key);
      return w && w.resetAt > t && w.count >= max ? Math.ceil((w.resetAt - t) / 1000) : 0;
    };
    return Math.max(over(`a\u0000${address}`, this.limits.perAddress), appKey === undefined ? 0 : over(`k\u0000${appKey}\u0000${address}`, this.limits.perAppKeyAndAddress));
  }

  recordFailure(appKey: string | undefined, address: string): void {
    this.bump(`a\u0000${address}`);
    if (appKey !== undefined) this.bump(`k\u0000${appKey}\u0000${address}`);
  }

  private bump(key: string): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && w.resetAt > t) {
      w.count += 1;
      return;
    }
    this.windows.delete(key); // re-inserted last: Map order is then oldest window first
    this.windows.set(key, { count: 1, resetAt: t + WINDOW_MS });
    if (this.windows.size > MAX_ENTRIES) this.windows.delete(this.windows.keys().next().value!);
  }
}
