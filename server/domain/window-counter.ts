/** Counters kept at most (each ~100 bytes); the oldest windows are dropped first, so memory stays bounded. */
const DEFAULT_MAX_ENTRIES = 100_000;

interface Window {
  count: number;
  resetAt: number;
}

/**
 * Counts per key in fixed windows (`windowMs` from a key's first count): how often someone rang, was rung or
 * failed to authenticate lately. Bounded in memory whatever keys clients make up.
 */
export class WindowCounter {
  private readonly windows = new Map<string, Window>();

  constructor(
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
    private readonly maxEntries = DEFAULT_MAX_ENTRIES,
  ) {}

  /** The count in the key's current window (0 once it is over). */
  count(key: string): number {
    const w = this.windows.get(key);
    return w && w.resetAt > this.now() ? w.count : 0;
  }

  /** Milliseconds until the key's window ends (0 when none is open). */
  resetInMs(key: string): number {
    const w = this.windows.get(key);
    return w ? Math.max(0, w.resetAt - this.now()) : 0;
  }

  add(key: string, n = 1): void {
    const t = this.now();
    const w = this.windows.get(key);
    if (w && w.resetAt > t) {
      w.count += n;
      return;
    }
    this.windows.delete(key); // re-inserted last: Map order is then oldest window first
    this.windows.set(key, { count: n, resetAt: t + this.windowMs });
    if (this.windows.size > this.maxEntries) this.windows.delete(this.windows.keys().next().value!);
  }
}
