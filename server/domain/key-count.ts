/**
 * How many of something each key holds (transports per tenant, connections per tenant, sockets waiting per
 * address): a key leaves the map at zero, so the map is only as big as what is held right now.
 */
export class KeyCount {
  private readonly counts = new Map<string, number>();

  of(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Counts one more for `key`; the returned release counts it back, once (idempotent). */
  take(key: string): () => void {
    this.counts.set(key, this.of(key) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = this.of(key) - 1;
      if (left > 0) this.counts.set(key, left);
      else this.counts.delete(key);
    };
  }
}
