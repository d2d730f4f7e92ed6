import type { Welcome } from '../../protocol';
import type { SignalingClient } from './signaling-client';

export interface ReconnectionHooks {
  /** The socket dropped; the client is trying to resume. */
  interrupted(): void;
  /** A new socket is up; `welcome.resumed` says whether the server still had our session. */
  resumed(welcome: Welcome): void;
  /** The grace period passed while still trying. */
  graceExpired(): void;
}

/**
 * Connects the signaling client's reconnection callbacks to `hooks`, and makes a network change (the browser
 * going back online) trigger an attempt at once rather than after the backoff. Returns the undo function.
 */
export function watchReconnection(signaling: SignalingClient, hooks: ReconnectionHooks): () => void {
  signaling.onReconnecting = () => hooks.interrupted();
  signaling.onReconnected = (welcome) => hooks.resumed(welcome);
  signaling.onGraceExpired = () => hooks.graceExpired();
  const online = () => signaling.reconnectNow();
  const target = typeof window === 'undefined' ? undefined : window;
  target?.addEventListener('online', online);
  return () => target?.removeEventListener('online', online);
}
