import type {
  ClientRequestType,
  Environment,
  ErrorCode,
  Notification,
  NotificationType,
  RequestPayload,
  ResponseOf,
  ServerMessage,
  Welcome,
} from '../../protocol';
import { PROTOCOL_VERSION, errorCodeForClose } from '../../protocol';

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
  requestTimeoutMs?: number;
  socketFactory?: SocketFactory;
}

type Pending = { resolve(data: unknown): void; reject(error: SignalingError): void; timer: ReturnType<typeof setTimeout> };
type Listener = (message: Notification) => void;

export function signalingUrl(server: string): string {
  const url = new URL('/v1/signal', server);
  if (url.protocol === 'http:') url.protocol = 'ws:';
  if (url.protocol === 'https:') url.protocol = 'wss:';
  return url.toString();
}

/**
 * One authenticated signaling connection: `connect()` resolves with the welcome, `request()` correlates
 * responses by requestId with a timeout, notifications go to listeners, and `onClose` reports why it ended.
 */
export class SignalingClient {
  private socket: SocketLike | undefined;
  private readonly pending = new Map<string, Pending>();
  private readonly listeners = new Set<Listener>();
  private nextId = 1;
  private closedByUs = false;
  onClose: ((error: SignalingError | undefined) => void) | undefined;

  constructor(private readonly options: SignalingOptions) {}

  connect(): Promise<Welcome> {
    const factory = this.options.socketFactory ?? ((url: string) => new WebSocket(url) as unknown as SocketLike);
    const socket = factory(signalingUrl(this.options.server));
    this.socket = socket;
    return new Promise<Welcome>((resolve, reject) => {
      let welcomed = false;
      let lastError: SignalingError | undefined;
      socket.onopen = () => {
        socket.send(JSON.stringify({ type: 'hello', protocol: PROTOCOL_VERSION, token: this.options.token, ...(this.options.environment ? { environment: this.options.environment } : {}) }));
      };
      socket.onmessage = (ev) => {
        let message: ServerMessage;
        try {
          message = JSON.parse(String(ev.data)) as ServerMessage;
        } catch {
          return;
        }
        if (message.type === 'welcome') {
          welcomed = true;
          resolve(message);
          return;
        }
        if (message.type === 'error' && !message.requestId && !welcomed) lastError = new SignalingError(message.code, message.message);
        this.onMessage(message);
      };
      socket.onerror = () => undefined; // onclose follows with the reason
      socket.onclose = (ev) => {
        const code = errorCodeForClose(ev.code);
        const error = this.closedByUs
          ? undefined
          : (lastError ?? new SignalingError(code ?? 'connection_closed', code ? ev.reason || code : `connection closed (${ev.code})`));
        this.failPending(error ?? new SignalingError('connection_closed', 'connection closed'));
        if (!welcomed) reject(error ?? new SignalingError('connection_closed', 'closed before welcome'));
        else this.onClose?.(error);
      };
    });
  }

  request<T extends ClientRequestType>(type: T, payload: RequestPayload<T>): Promise<ResponseOf<T>> {
    const socket = this.socket;
    if (!socket || socket.readyState !== 1) return Promise.reject(new SignalingError('connection_closed', 'not connected'));
    const requestId = String(this.nextId++);
    return new Promise<ResponseOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new SignalingError('timeout', `${type} timed out`));
      }, this.options.requestTimeoutMs ?? 10_000);
      this.pending.set(requestId, { resolve: resolve as (d: unknown) => void, reject, timer });
      socket.send(JSON.stringify({ type, requestId, ...payload }));
    });
  }

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onType<T extends NotificationType>(type: T, handler: (message: Extract<Notification, { type: T }>) => void): () => void {
    return this.on((m) => {
      if (m.type === type) handler(m as Extract<Notification, { type: T }>);
    });
  }

  close(): void {
    this.closedByUs = true;
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
