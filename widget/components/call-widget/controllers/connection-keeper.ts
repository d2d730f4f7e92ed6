import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { Environment, ErrorCode, ProtocolError } from '../../../../protocol';
import type { CallEngine, EngineFactory } from '../../../call/engine';
import { callEvent } from '../events';
import { fetchTokenFrom, freshToken, renewsInPlace, type TokenSource } from '../token-source';

/** The element's connection attributes, as the keeper reads and (for `token`) writes them. */
export interface ConnectionHost extends TokenSource, ReactiveControllerHost, HTMLElement {
  server: string | undefined;
  token: string | undefined;
  environment: Environment | undefined;
  iceTransportPolicy: 'all' | 'relay';
  videoResolution: '360p' | '720p';
  reconnectGrace: number | undefined;
}

/**
 * Decides what a change of the connection attributes means: nothing (same connection), a renewal in place
 * (only the token changed on a live connection: calls go on), or a new connection (server, environment or
 * ICE policy changed). Also fetches tokens from `token-url` and renews them from `tokenProvider`/`token-url`.
 */
export class ConnectionKeeper implements ReactiveController {
  private key = '';

  constructor(
    private readonly host: ConnectionHost,
    private readonly engine: () => CallEngine | undefined,
    private readonly replace: (engine: CallEngine | undefined) => void,
    private readonly defaultServer: () => string | undefined,
    /** The real engine (CallController, given by widget/call-widget.ts): components never import it. */
    private readonly createEngine: () => EngineFactory,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.update();
  }

  /** Removed from the page: the next connection starts afresh (the engine binding closed the old one). */
  hostDisconnected(): void {
    this.forget();
  }

  /** The element is driven by another engine (the demo's simulator): attribute changes do not reconnect. */
  useExternalEngine(): void {
    this.key = 'engine';
  }

  forget(): void {
    this.key = '';
  }

  update(): void {
    const h = this.host;
    const base = `${h.server}|${h.environment}|${h.iceTransportPolicy}`;
    const key = `${base}|${h.token}`;
    const engine = this.engine();
    if (this.key === 'engine' || (key === this.key && engine)) return;
    if (h.token && renewsInPlace(engine, this.key.slice(0, this.key.lastIndexOf('|')), base)) {
      this.key = key;
      void engine.renewToken(h.token).catch((e: ProtocolError) => this.error(e.code, e.message));
      return;
    }
    this.key = key;
    this.replace(undefined);
    if (!h.token && h.tokenUrl) return void this.fetchToken(h.tokenUrl);
    const server = h.server ?? this.defaultServer();
    if (!h.token) return;
    if (!server) {
      this.error('not_configured', 'set the `server` attribute to the URL of your call-widget server (e.g. https://calls.example.com)');
      return;
    }
    this.replace(
      this.createEngine()({
        server,
        token: h.token,
        videoResolution: h.videoResolution,
        ...(h.environment ? { environment: h.environment } : {}),
        ...(h.iceTransportPolicy === 'relay' ? { iceTransportPolicy: 'relay' as const } : {}),
        ...(h.reconnectGrace !== undefined ? { reconnectGraceMs: h.reconnectGrace * 1000 } : {}),
      }),
    );
  }

  private error(code: ErrorCode, message: string): void {
    this.host.dispatchEvent(callEvent('call-error', { code, message }));
  }

  /** The token expires soon: a new one from `tokenProvider` or `token-url` goes in as `token` (renewed in place). */
  async renewFromSource(): Promise<void> {
    const result = await freshToken(this.host);
    if (result && 'error' in result) this.error('token_expired', result.error);
    else if (result) this.host.token = result.token;
  }

  /** The CMS path: ask the site's own backend for a token (it knows the visitor from its cookies). */
  private async fetchToken(url: string): Promise<void> {
    const result = await fetchTokenFrom(url);
    if ('error' in result) this.error('not_configured', result.error);
    else if (this.host.tokenUrl === url) this.host.token = result.token;
  }
}
