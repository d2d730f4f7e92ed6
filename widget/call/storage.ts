// Small browser-storage helpers shared by the recent-calls badge and the device choices.

/** localStorage can be unavailable (privacy modes, sandboxed iframes): then nothing is remembered. */
export function readStorage(key: string): string | null {
  try {
    return globalThis.localStorage?.getItem(key) ?? null;
  } catch {
    return null;
  }
}

export function writeStorage(key: string, value: string): void {
  try {
    globalThis.localStorage?.setItem(key, value);
  } catch {
    // not remembered; harmless
  }
}
