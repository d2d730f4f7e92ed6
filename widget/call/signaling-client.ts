import type {
  ClientRequestType,
  Environment,
  ErrorCode,
  IceServerInfo,
  Notification,
  ProtocolError,
  RequestPayload,
  ResponseOf,
  ServerMessage,
  Welcome,
} from '../../protocol';
import { PROTOCOL_VERSION, errorCodeForClose } from '../../protocol';
import { assertNever } from './assert';
import { type ConnectionEffect, type ConnectionEvent, type ConnectionState, stepConnection } from './connection-machine';

/** A typed failure from the server or the connection; `code` is one of protocol/errors.ts. */
export class SignalingError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'SignalingError';
  }
}

/** Any failure as the one wire error shape (`call-error` detail). */
export function toProtocolError(error: unknown): ProtocolError {
  return error instanceof SignalingError ? { code: error.code, message: error.message } : { code: 'internal', message: (error as Error)?.message ?? String(error) };
}

/** The subset of WebSocket we use, so tests can inject a fake. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}
export type SocketFactory = (url: string) => SocketLike;

export interface SignalingOptions {
  /** Server base URL (http(s) or ws(s)); `/v1/signal` is appended. */
  server: string;
  token: string;
  environment?: Environment;
  /** `relay`: media only through the TURN servers the server hands out (strict networks, testing). */
  iceTransportPolicy?: 'all' | 'relay';
  requestTimeoutMs?: number;
  socketFactory?: SocketFactory;
  /** How long to try resuming after the connection drops (default: what the server keeps, 20 s); 0 = never. */
  reconnectGraceMs?: number;
  /** Backoff between attempts: starts near `reconnectBaseMs`, doubles, capped at `reconnectMaxMs`, with jitter. */
  reconnectBaseMs?: number;
  reconnectMaxMs?: number;
  /**
   * A `ping` every this many ms (default 15 s); no answer and no other message within `pingTimeoutMs` (default
   * 10 s) means the socket is dead even if the browser has not noticed (sleep, a silently dropped NAT mapping):
   * reconnect now. Generous on purpose: a page starved of CPU must not tear down a working call.
   */
  pingIntervalMs?: number;
  pingTimeoutMs?: number;
}

type Pending = { resolve(data: unknown): void; reject(error: SignalingError): void; timer: ReturnType<typeof setTimeout> };
type Listener = (message: Notification) => void;

export function signalingUrl(server: string): string {
  const url = new URL('/v1/signal', server);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}

/** Closes after which reconnecting cannot help: the token or app is refused, or a newer connection took over. */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'token_missing',
  'token_malformed',
  'token_expired',
  'token_bad_signature',
  'unknown_app_key',
  'environment_mismatch',
  'origin_not_allowed',
  'unsupported_protocol',
  'session_replaced',
]);

/** Delay before reconnect attempt `n` (0-based): immediate-ish first, then exponential with full jitter. */
export function backoffDelay(n: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  if (n === 0) return Math.round(random() * Math.min(baseMs, 250));
  const cap = Math.min(maxMs, baseMs * 2 ** n);
  return Math.round(cap / 2 + (random() * cap) / 2);
}

/**
 * The signaling connection: `connect()` resolves with the welcome, `request()` correlates responses by
 * requestId with a timeout, notifications go to listeners. When the socket drops (not a deliberate close, not
 * a refused token) it reconnects with backoff and jitter, presenting the resume token so the server hands back
 * the same session: `onReconnecting` → `onReconnected(welcome)` (check `welcome.resumed`). If that takes longer
 * than the grace period, `onGraceExpired` fires once while it keeps trying. `onClose` reports a final close.
 */
export class SignalingClient {
  private socket: SocketLike | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  /** Where supervision stands (connection-machine.ts decides; this class performs the effects). */
  private connection: ConnectionState = { phase: 'connecting' };
  /** Why the connection was lost or refused last: what `onReconnecting` and `onClose` report. */
  private lastError: SignalingError | undefined;
  private resumeToken: string | undefined;
  /** The latest welcome (what `onReconnected` reports). */
  private welcome: Welcome | undefined;
  private serverGraceMs = 20_000;
  /** TURN servers from the latest welcome: their credentials expire, and every welcome (resume too) renews them. */
  private iceServers: IceServerInfo[] = [];
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private graceTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private lastMessageAt = 0;
  onClose: ((error: SignalingError | undefined) => void) | undefined;
  onReconnecting: ((error: SignalingError) => void) | undefined;
  onReconnected: ((welcome: Welcome) => void) | undefined;
  onGraceExpired: (() => void) | undefined;

  /** The token hellos present: the latest renewed one, so a resume after a renewal is accepted. */
  private token: string;

  constructor(private readonly options: SignalingOptions) {
    this.token = options.token;
  }

  /**
   * Renews the connection's token without interrupting anything: the server moves this connection to the new
   * expiry, hands out TURN credentials for it, and later resumes present the new token.
   */
  async renewToken(token: string): Promise<void> {
    // While reconnecting there is no connection to renew: the resume's hello presents the new token instead.
    if (this.reconnecting) {
      this.token = token;
      return;
    }
    const renewed = await this.request('session.renew', { token });
    this.token = token;
    this.iceServers = renewed.iceServers;
  }

  /** What every media transport uses for ICE: the server's TURN servers and the page's transport policy. */
  get ice(): { iceServers: IceServerInfo[]; iceTransportPolicy: 'all' | 'relay' } {
    return { iceServers: this.iceServers, iceTransportPolicy: this.options.iceTransportPolicy ?? 'all' };
  }

  private get reconnecting(): boolean {
    return this.connection.phase === 'reconnecting';
  }

  private get closedByUs(): boolean {
    return this.connection.phase === 'closed' && this.connection.byUs;
  }

  /** Feeds supervision an event and performs what it decides. */
  private supervise(event: ConnectionEvent): void {
    const { state, effects } = stepConnection(this.connection, event);
    this.connection = state;
    for (const effect of effects) this.perform(effect);
  }

  private perform(effect: ConnectionEffect): void {
    switch (effect.type) {
      case 'startGrace':
        clearTimeout(this.graceTimer);
        this.graceTimer = setTimeout(() => this.onGraceExpired?.(), this.graceMs);
        return;
      case 'stopGrace':
        return clearTimeout(this.graceTimer);
      case 'openResume':
        return void this.attemptResume();
      case 'scheduleRetry':
        clearTimeout(this.retryTimer);
        this.retryTimer = setTimeout(() => this.supervise({ type: 'retry' }), backoffDelay(effect.attempt, this.options.reconnectBaseMs ?? 500, this.options.reconnectMaxMs ?? 5000));
        return;
      case 'cancelRetry':
        return clearTimeout(this.retryTimer);
      case 'announceReconnecting':
        return this.onReconnecting?.(this.lastError ?? new SignalingError('connection_closed', 'connection lost'));
      case 'announceReconnected':
        return this.welcome && this.onReconnected?.(this.welcome);
      case 'announceClosed':
        clearInterval(this.pingTimer);
        return this.onClose?.(this.lastError);
      default:
        return assertNever(effect);
    }
  }

  /**
   * Opens the connection. A server that is shutting down refuses it with `server_draining`: that is retried
   * with backoff for up to the grace period (a load balancer sends the next attempt to another node, or the
   * restarted server answers); every other refusal rejects at once.
   */
  async connect(): Promise<Welcome> {
    const deadline = Date.now() + this.graceMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await this.open(undefined);
      } catch (error) {
        const draining = error instanceof SignalingError && error.code === 'server_draining';
        if (!draining || this.closedByUs || Date.now() >= deadline) throw error;
        await new Promise((r) => setTimeout(r, backoffDelay(attempt + 1, this.options.reconnectBaseMs ?? 500, this.options.reconnectMaxMs ?? 5000)));
        if (this.closedByUs) throw error;
      }
    }
  }

  /** A network change (the browser came back online): try now instead of waiting for the backoff. */
  reconnectNow(): void {
    if (this.reconnecting) return this.supervise({ type: 'retry' });
    // The old socket may be dead without knowing it (its path went away): replace it.
    const socket = this.socket;
    if (this.connection.phase === 'open' && socket) {
      this.socket = undefined;
      socket.onclose = null;
      socket.close(4000, 'network_changed');
      this.lost(new SignalingError('connection_closed', 'the network changed'), true);
    }
  }

  private open(resume: string | undefined): Promise<Welcome> {
    const factory = this.options.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const socket = factory(signalingUrl(this.options.server));
    this.socket = socket;
    return new Promise<Welcome>((resolve, reject) => {
      let welcomed = false;
      let lastError: SignalingError | undefined;
      socket.onopen = () => {
        socket.send(
          JSON.stringify({
            type: 'hello',
            protocol: PROTOCOL_VERSION,
            token: this.token,
            ...(this.options.environment ? { environment: this.options.environment } : {}),
            ...(resume ? { resume } : {}),
          }),
        );
      };
      socket.onmessage = (ev) => {
        this.lastMessageAt = Date.now();
        let message: ServerMessage;
        try {
          message = JSON.parse(String(ev.data)) as ServerMessage;
        } catch {
          return;
        }
        if (message.type === 'welcome') {
          welcomed = true;
          this.watchLiveness(socket);
          this.resumeToken = message.resumeToken;
          if (typeof message.reconnectGraceMs === 'number') this.serverGraceMs = message.reconnectGraceMs;
          this.iceServers = Array.isArray(message.iceServers) ? message.iceServers : [];
          this.welcome = message;
          // Supervision hears it before anything else can happen to this socket (a close right after it).
          this.supervise({ type: 'welcomed' });
          resolve(message);
          return;
        }
        if (message.type === 'error' && !message.requestId && !welcomed) lastError = new SignalingError(message.code, message.message);
        this.onMessage(message);
      };
      socket.onerror = () => undefined; // onclose follows with the reason
      socket.onclose = (ev) => {
        if (this.socket === socket) this.socket = undefined;
        const code = errorCodeForClose(ev.code);
        const error = lastError ?? new SignalingError(code ?? 'connection_closed', code ? ev.reason || code : `connection closed (${ev.code})`);
        this.failPending(this.closedByUs ? new SignalingError('connection_closed', 'closed') : error);
        if (!welcomed) reject(this.closedByUs ? new SignalingError('connection_closed', 'closed before welcome') : error);
        else if (!this.closedByUs) this.lost(error, false);
      };
    });
  }

  /** Pings while `socket` is the current one; a ping left unanswered replaces it. */
  private watchLiveness(socket: SocketLike): void {
    clearInterval(this.pingTimer);
    const timeout = this.options.pingTimeoutMs ?? 10_000;
    this.pingTimer = setInterval(() => {
      if (this.socket !== socket || this.reconnecting) return clearInterval(this.pingTimer);
      this.request('ping', {}, timeout).catch((e: SignalingError) => {
        const silent = Date.now() - this.lastMessageAt >= timeout;
        if (e.code === 'timeout' && silent && this.socket === socket) this.reconnectNow();
      });
    }, this.options.pingIntervalMs ?? 15_000);
  }

  private get graceMs(): number {
    return this.options.reconnectGraceMs ?? this.serverGraceMs;
  }

  /** The socket is gone: reconnect (resuming) unless that cannot help. */
  private lost(error: SignalingError, now: boolean): void {
    if (this.closedByUs) return;
    this.lastError = error;
    this.supervise({ type: 'lost', resumable: !FATAL.has(error.code) && this.resumeToken !== undefined && this.graceMs > 0, now });
  }

  /** One resume attempt (the machine decided it is time): a welcome, or a failure that may be final. */
  private async attemptResume(): Promise<void> {
    try {
      await this.open(this.resumeToken); // its welcome reaches supervision as it arrives
    } catch (error) {
      const e = error instanceof SignalingError ? error : new SignalingError('connection_closed', String(error));
      if (this.closedByUs) return;
      this.lastError = e;
      this.supervise({ type: 'attemptFailed', final: FATAL.has(e.code) });
    }
  }

  request<T extends ClientRequestType>(type: T, payload: RequestPayload<T>, timeoutMs = this.options.requestTimeoutMs ?? 10_000): Promise<ResponseOf<T>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1 || this.reconnecting) return Promise.reject(new SignalingError('connection_closed', 'not connected'));
    const requestId = String(this.nextId++);
    return new Promise<ResponseOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new SignalingError('timeout', `${type} timed out`));
      }, timeoutMs);
      this.pending.set(requestId, { resolve: resolve as (d: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ type, requestId, ...payload }));
    });
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.supervise({ type: 'close' });
    clearInterval(this.pingTimer);
    this.socket?.close(1000, 'bye');
    this.failPending(new SignalingError('connection_closed', 'closed'));
  }
  private onMessage(message: ServerMessage): void {
    if (message.type === 'response' || (message.type === 'error' && message.requestId)) {
      const pending = this.pending.get(message.requestId ?? '');
      if (!pending) return;
      this.pending.delete(message.requestId ?? '');
      clearTimeout(pending.timer);
      if (message.type === 'response') pending.resolve(message.data);
      else pending.reject(new SignalingError(message.code, message.message));
      return;
    }
    if (message.type === 'error' || message.type === 'welcome') return;
    for (const listener of this.listeners) listener(message);
  }

  private failPending(error: SignalingError): void {
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(error);
      this.pending.delete(id);
    }
  }
}
