import WebSocket from 'ws';
import { PROTOCOL_VERSION } from '../../protocol';

export interface TestSocket {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  send(message: unknown): void;
  sendRaw(data: string | Buffer): void;
  /** Resolves with the next message matching `predicate` (already received ones count). */
  next(predicate?: (m: Record<string, unknown>) => boolean, timeoutMs?: number): Promise<Record<string, unknown>>;
  request(type: string, payload?: Record<string, unknown>): Promise<Record<string, unknown>>;
  /**
   * A barrier: resolves once the server answered a `ping` sent now. The server writes to a socket in order, so
   * every message it queued for this socket before handling the ping has arrived by then — assert an absence
   * after it ("nothing rang") instead of after a sleep.
   */
  quiet(): Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  close(): void;
}

let requestCounter = 0;

export async function openSocket(serverUrl: string, options: { origin?: string } = {}): Promise<TestSocket> {
  const ws = new WebSocket(`${serverUrl.replace(/^http/, 'ws')}/v1/signal`, options.origin ? { origin: options.origin } : {});
  const messages: Record<string, unknown>[] = [];
  const waiters: { predicate: (m: Record<string, unknown>) => boolean; resolve(m: Record<string, unknown>): void; from: number }[] = [];
  ws.on('message', (data) => {
    const m = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(m);
    for (const w of [...waiters]) {
      if (w.predicate(m)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    }
  });
  const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const consumed = new Set<Record<string, unknown>>();
  const socket: TestSocket = {
    ws,
    messages,
    closed,
    send: (message) => ws.send(JSON.stringify(message)),
    sendRaw: (data) => ws.send(data),
    next(predicate = () => true, timeoutMs = 5000) {
      const found = messages.find((m) => !consumed.has(m) && predicate(m));
      if (found) {
        consumed.add(found);
        return Promise.resolve(found);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for a message; got ${JSON.stringify(messages.slice(-5))}`)), timeoutMs);
        waiters.push({
          predicate: (m) => !consumed.has(m) && predicate(m),
          resolve: (m) => {
            clearTimeout(timer);
            consumed.add(m);
            resolve(m);
          },
          from: messages.length,
        });
      });
    },
    async request(type, payload = {}) {
      const requestId = `t${++requestCounter}`;
      ws.send(JSON.stringify({ type, requestId, ...payload }));
      return socket.next((m) => m.requestId === requestId);
    },
    async quiet() {
      const pong = await socket.request('ping');
      if (pong.type !== 'response') throw new Error(`ping refused: ${JSON.stringify(pong)}`);
    },
    close: () => ws.close(),
  };
  return socket;
}

/** Opens a socket and authenticates it; resolves after `welcome`. */
export async function connectAs(serverUrl: string, token: string, options: { origin?: string; environment?: string; resume?: string } = {}): Promise<TestSocket & { welcome: Record<string, unknown> }> {
  const socket = await openSocket(serverUrl, options);
  socket.send({ type: 'hello', protocol: PROTOCOL_VERSION, token, ...(options.environment ? { environment: options.environment } : {}), ...(options.resume ? { resume: options.resume } : {}) });
  const first = await socket.next((m) => m.type === 'welcome' || m.type === 'error');
  if (first.type !== 'welcome') throw new Error(`hello refused: ${JSON.stringify(first)}`);
  return Object.assign(socket, { welcome: first });
}
