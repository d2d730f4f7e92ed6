import type { types } from 'mediasoup-client';

/**
 * Calls `onFailed` once when `transport` cannot form a media path: it reached 'failed', or it is still not
 * connected `timeoutMs` after its first use (its 'connect' event). The deadline matters because a path that
 * never forms at all — relay-only with TURN credentials the relay refuses leaves no candidate — does not always
 * reach 'failed' and would otherwise hang silently.
 */
export function watchConnection(transport: types.Transport, timeoutMs: number, onFailed: () => void): void {
  let deadline: ReturnType<typeof setTimeout> | undefined;
  let reported = false;
  const fail = () => {
    clearTimeout(deadline);
    if (reported || transport.closed) return;
    reported = true;
    onFailed();
  };
  transport.on('connect', () => {
    deadline ??= setTimeout(() => {
      if (transport.connectionState !== 'connected') fail();
    }, timeoutMs);
  });
  transport.on('connectionstatechange', (state) => {
    if (state === 'connected') clearTimeout(deadline);
    if (state === 'failed') fail();
  });
  transport.observer.on('close', () => clearTimeout(deadline));
}
