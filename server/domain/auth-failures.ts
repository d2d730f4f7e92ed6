import { WindowCounter } from './window-counter';

/** How many wrong App Key/secret attempts are allowed per minute before a caller is refused outright. */
export interface AuthFailureLimits {
  /** Per client address and App Key (someone guessing one app's secret). */
  perAppKeyAndAddress: number;
  /** Per client address, whatever App Keys it tries. */
  perAddress: number;
}

/**
 * Failed REST authentications per (App Key, client address) and per client address, in one-minute windows.
 * While a caller is over either limit, every request of it is refused with 429 before its credentials are
 * looked at — so guessing gets no answers, and a site's backend at another address is never locked out.
 */
export class AuthFailureLimiter {
  private readonly failures: WindowCounter;

  constructor(
    private readonly limits: AuthFailureLimits,
    now: () => number = Date.now,
  ) {
    this.failures = new WindowCounter(60_000, now);
  }

  /** Seconds until this caller may try again, or 0 when it may try now. */
  retryAfterSeconds(appKey: string | undefined, address: string): number {
    const over = (key: string, max: number) => (this.failures.count(key) >= max ? Math.ceil(this.failures.resetInMs(key) / 1000) : 0);
    const perAddress = over(`a\u0000${address}`, this.limits.perAddress);
    return Math.max(perAddress, appKey === undefined ? 0 : over(`k\u0000${appKey}\u0000${address}`, this.limits.perAppKeyAndAddress));
  }

  recordFailure(appKey: string | undefined, address: string): void {
    this.failures.add(`a\u0000${address}`);
    if (appKey !== undefined) this.failures.add(`k\u0000${appKey}\u0000${address}`);
  }
}
