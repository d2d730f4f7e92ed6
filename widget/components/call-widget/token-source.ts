import type { CallEngine } from '../../call/engine';

/**
 * The element's token source — `token` as set, `token-url` (the CMS way: the site's backend knows the visitor
 * from its cookies) or `tokenProvider` — and when a new token renews the connection in place.
 */

/** Where the element gets a new token when the server says the current one expires soon. */
export interface TokenSource {
  /** The page's own way: a function returning (a promise of) a token for the same user. */
  tokenProvider: (() => string | Promise<string>) | undefined;
  /** The CMS way: the same `token-url` the first token came from. */
  tokenUrl: string | undefined;
}

/**
 * A new token from the page's source, or undefined when it has none (the page then sets `token` itself,
 * which renews the same way) — an error names what failed.
 */
export async function freshToken(source: TokenSource): Promise<{ token: string } | { error: string } | undefined> {
  if (!source.tokenProvider) return source.tokenUrl ? fetchTokenFrom(source.tokenUrl) : undefined;
  try {
    return { token: await source.tokenProvider() };
  } catch (error) {
    return { error: `tokenProvider: ${(error as Error).message}` };
  }
}

/**
 * What identifies the connection apart from its token: when only the token changes on a live connection,
 * the element renews (`renewToken`) instead of reconnecting, so a call goes on.
 */
export function renewsInPlace(engine: CallEngine | undefined, previousBase: string, base: string): engine is CallEngine {
  // Connected once (the state knows who we are): the server holds a session this token can take over.
  return engine !== undefined && previousBase === base && 'me' in engine.state && engine.state.me !== undefined;
}

/** `token-url`: POST (with the visitor's cookies) to the site's own backend, which answers `{ token }`. */
export async function fetchTokenFrom(url: string): Promise<{ token: string } | { error: string }> {
  try {
    const res = await fetch(url, { method: 'POST', credentials: 'include', headers: { accept: 'application/json' } });
    if (!res.ok) return { error: `could not get a token: ${url} answered ${res.status}` };
    const body = (await res.json()) as { token?: unknown };
    return typeof body.token === 'string' ? { token: body.token } : { error: `could not get a token: ${url} did not answer { "token": "..." }` };
  } catch (error) {
    return { error: `could not get a token: ${(error as Error).message}` };
  }
}
