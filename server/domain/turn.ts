import { createHmac } from 'node:crypto';
import type { IceServerInfo } from '../../protocol';

/** TURN as coturn's `use-auth-secret` (the "TURN REST API"): a shared secret, credentials derived per user. */
export interface TurnSettings {
  /** `turn:` / `turns:` URLs handed to browsers (empty: no TURN). */
  urls: string[];
  secret: string | undefined;
  /** Longest a credential lives; never past the token it was derived for. */
  credentialTtlSeconds: number;
}

/**
 * Time-limited TURN credentials for one user: username `<unix expiry>:<userId>`, password
 * base64(HMAC-SHA1(secret, username)), which coturn recomputes with the same secret. The expiry is the earlier of
 * now + TTL and the token's own expiry, so a credential never outlives the right to connect.
 */
export function turnIceServers(turn: TurnSettings, userId: string, tokenExpiresAtMs: number, nowMs = Date.now()): IceServerInfo[] {
  if (turn.urls.length === 0 || !turn.secret) return [];
  const expiry = Math.floor(Math.min(nowMs / 1000 + turn.credentialTtlSeconds, tokenExpiresAtMs / 1000));
  const username = `${expiry}:${userId}`;
  const credential = createHmac('sha1', turn.secret).update(username).digest('base64');
  return [{ urls: turn.urls, username, credential }];
}
