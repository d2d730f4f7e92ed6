import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { WebSocket } from 'ws';
import {
  closeCodeFor,
  type ErrorCode,
  type NotificationMap,
  type NotificationType,
  SUPPORTED_PROTOCOL_VERSIONS,
  type ResponseOf,
  type ServerMessage,
} from '../../protocol';
import type { ClientMessage, ClientMessageOf } from '../../protocol/client-messages';
import { TokenError, verifyToken } from '../domain/tokens';
import { ServiceError } from '../errors';
import { RateLimiter } from './rate-limiter';
import type { SignalingContext } from './context';
import type { Admission } from './user-quotas';
import { parseClientMessage } from './validate';
import { ClientSession, type SessionTransport } from './client-session';

/**
 * The requestId of a message refused before it is parsed, so the client can match the refusal to its request:
 * read from the first bytes only, as refusing must stay cheap whatever the client sends.
 */
function cheapRequestId(data: Buffer): string | undefined {
  return /"requestId"\s*:\s*"([^"\\]{1,64})"/.exec(data.subarray(0, 512).toString('latin1'))?.[1];
}

/** Close codes of a deliberate close by the client (hang-up, tab closed): no grace period. */
const DELIBERATE_CLOSE_CODES = new Set([1000, 1001, 1005]);

/**
 * One WebSocket: authenticates it with the first message (`hello` + token), then validates every message
 * against protocol/, answers bad input with typed errors and keeps serving. Heartbeat: a ping with a random
 * payload every interval; only a pong echoing it counts, and a connection that has not answered the previous
 * ping is closed (4010). Backpressure: a socket with more than `maxQueuedBytes` waiting to be sent is closed
 * (4013) rather than buffered without end. Before hello, messages are rate limited per socket; after it, per
 * user across all the user's connections (see user-quotas.ts). The client it serves is a
 * `ClientSession`, which outlives an abnormally dropped socket for the grace period (see client-session.ts).
 */
export class SignalingConnection implements SessionTransport {
  readonly id = randomUUID();
  private session: ClientSession | undefined;
  /** Until hello: this socket's own budget; after: the user's, shared by all their connections. */
  private limiter: RateLimiter;
  private admission: Admission | undefined;
  private helloTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  /** The payload of the ping not answered yet. */
  private pingNonce: Buffer | undefined;
  private closed = false;
  private authenticating = false;
  private expiryTimers: NodeJS.Timeout[] = [];
  private mediaWarnedAt = 0;
  private mediaWarnsSkipped = 0;

  /** Gives back this socket's place among its address's sockets before hello (idempotent). */
  private releaseUnauthenticated: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly origin: string | undefined,
    address: string,
    private readonly ctx: SignalingContext,
    private readonly log: FastifyBaseLogger,
  ) {
    const limits = ctx.limits;
    this.releaseUnauthenticated = ctx.quotas.admitUnauthenticated(address);
    this.limiter = new RateLimiter(limits.messagesPerSecond, limits.messageBurst);
    this.helloTimer = setTimeout(() => this.fail('hello_timeout', 'no hello received in time'), limits.helloTimeoutMs);
    socket.on('message', (data, isBinary) => this.onFrame(data as Buffer, isBinary));
    // Only the answer to our own ping proves the peer reads: unsolicited pongs do not keep a socket alive.
    socket.on('pong', (data) => {
      if (this.pingNonce && data.equals(this.pingNonce)) this.pingNonce = undefined;
    });
    socket.on('close', (code) => this.onClose(code));
    // ws reports protocol violations (bad frames, invalid UTF-8, oversized payloads) here and closes the socket:
    // the client's fault, so no stack.
    socket.on('error', (error) => this.log.debug({ connectionId: this.id, code: (error as { code?: string }).code, reason: error.message }, 'WebSocket protocol error'));
    this.heartbeatTimer = setInterval(() => this.heartbeat(), limits.heartbeatIntervalMs);
    if (!this.releaseUnauthenticated) {
      this.fail('too_many_connections', `at most ${limits.unauthenticatedPerAddress} connections per address may wait for their hello`);
    }
  }

  get isAuthenticated(): boolean {
    return this.session !== undefined;
  }

  notify<T extends NotificationType>(type: T, payload: NotificationMap[T]): void {
    this.send({ type, ...payload } as ServerMessage);
  }

  replace(): void {
    this.socket.close(closeCodeFor('session_replaced'), 'session_replaced');
    this.onClose();
  }

  terminate(): void {
    this.socket.terminate();
  }

  moveAway(): void {
    this.sendError('server_draining', 'this server is shutting down: reconnect to continue on another server');
    this.socket.close(closeCodeFor('server_draining'), 'server_draining');
    // No grace period here: the client resumes on another node (or the restarted server), not on this one.
    this.onClose(1000);
  }

  send(message: ServerMessage): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(JSON.stringify(message));
    if (this.socket.bufferedAmount > this.ctx.limits.maxQueuedBytes) this.closeSlowConsumer();
  }

  /**
   * The peer does not read what we send. The close frame queues behind what is waiting (a client that reads
   * again gets it, and resumes); one that never reads is dropped after 5 s, so the memory is held no longer.
   */
  private closeSlowConsumer(): void {
    this.log.info({ connectionId: this.id, queuedBytes: this.socket.bufferedAmount }, 'client stopped reading; closing connection');
    this.socket.close(closeCodeFor('slow_consumer'), 'slow_consumer');
    setTimeout(() => this.socket.terminate(), 5000).unref();
    this.onClose(closeCodeFor('slow_consumer'));
  }

  private sendError(code: ErrorCode, message: string, requestId?: string): void {
    this.send({ type: 'error', code, message, ...(requestId !== undefined ? { requestId } : {}) });
  }

  /** Ends the connection with a typed error and its close code. */
  fail(code: ErrorCode, message: string, requestId?: string): void {
    this.sendError(code, message, requestId);
    this.socket.close(closeCodeFor(code) ?? 1008, code);
    this.onClose();
  }

  private heartbeat(): void {
    if (this.pingNonce) {
      this.log.info({ connectionId: this.id }, 'heartbeat missed; closing connection');
      this.socket.close(closeCodeFor('heartbeat_timeout'), 'heartbeat_timeout');
      // A peer that cannot answer pings will not finish a closing handshake either.
      setTimeout(() => this.socket.terminate(), 1000).unref();
      this.onClose();
      return;
    }
    this.pingNonce = randomBytes(8);
    this.socket.ping(this.pingNonce);
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (!this.limiter.tryTake()) {
      const message = `more than ${this.ctx.limits.messagesPerSecond} messages per second${this.admission ? ' from this user' : ''}; slow down`;
      this.sendError('rate_limited', message, cheapRequestId(data));
      return;
    }
    if (data.byteLength > this.ctx.limits.maxMessageBytes) {
      this.sendError('message_too_large', `messages are limited to ${this.ctx.limits.maxMessageBytes} bytes`, cheapRequestId(data));
      return;
    }
    if (isBinary) {
      this.sendError('invalid_message', 'binary frames are not part of the protocol');
      return;
    }
    const parsed = parseClientMessage(data.toString('utf8'));
    if (!parsed.ok) {
      this.sendError(parsed.code, parsed.message, parsed.requestId);
      return;
    }
    void this.dispatch(parsed.message);
  }

  private async dispatch(message: ClientMessage): Promise<void> {
    if (message.type === 'hello') return this.onHello(message);
    const session = this.session;
    if (!session) {
      this.sendError('not_authenticated', 'the first message must be hello with a token', message.requestId);
      return;
    }
    if (Date.now() >= session.identity.expiresAt) {
      this.fail('token_expired', 'the token of this connection has expired; connect again with a new one', message.requestId);
      return;
    }
    const started = performance.now();
    let outcome: 'ok' | 'error' = 'error';
    try {
      const data = message.type === 'session.renew' ? await this.renew(session, message.token) : await this.ctx.dispatch(session, message);
      this.send({ type: 'response', requestId: message.requestId, data });
      outcome = 'ok';
    } catch (error) {
      if (error instanceof ServiceError || error instanceof TokenError) {
        if (error.code === 'media_error') this.warnMediaError(message.type, error.message);
        this.sendError(error.code, error.message, message.requestId);
      } else {
        this.log.error({ err: error, type: message.type, connectionId: this.id }, 'request failed');
        this.sendError('internal', 'internal error', message.requestId);
      }
    } finally {
      this.ctx.observeRequest?.(message.type, outcome, (performance.now() - started) / 1000);
    }
  }

  /**
   * `session.renew`: the same user of the same app environment presents a newer token; the connection (and
   * its session, calls and rooms) runs on until the new expiry. A refused token leaves the old one in force.
   */
  private async renew(session: ClientSession, token: string): Promise<ResponseOf<'session.renew'>> {
    const identity = await verifyToken(this.ctx.apps, token, session.identity.tenant.environment);
    if (identity.tenant.key !== session.identity.tenant.key || identity.userId !== session.identity.userId) {
      throw new ServiceError('forbidden', 'a renewed token must be for the same user and app environment');
    }
    if (!this.ctx.apps.isOriginAllowed(identity.tenant, this.origin)) throw new ServiceError('origin_not_allowed', `origin ${this.origin} is not allowed for this app`);
    session.identity.expiresAt = Math.max(session.identity.expiresAt, identity.expiresAt);
    this.scheduleExpiry(session.identity.expiresAt);
    return { expiresAt: session.identity.expiresAt, iceServers: this.ctx.iceServers(session.identity) };
  }

  /**
   * Tells the client ahead of the token's expiry (half the remaining lifetime, at most a minute before) and
   * closes the connection with `token_expired` when it comes without a renewal.
   */
  private scheduleExpiry(expiresAt: number): void {
    for (const timer of this.expiryTimers) clearTimeout(timer);
    const left = expiresAt - Date.now();
    const lead = Math.min(60_000, left / 2);
    // setTimeout holds at most 2^31-1 ms (~24.8 days); tokens live at most a day.
    this.expiryTimers = [
      setTimeout(() => this.notify('session.tokenExpiring', { expiresAt }), Math.max(0, left - lead)),
      setTimeout(() => this.expire(), Math.max(0, left)),
    ];
    for (const timer of this.expiryTimers) timer.unref();
  }

  /**
   * The token ran out unrenewed: the client may not go on, so its session ends now (others see it leave at
   * once) instead of waiting out the reconnect grace period for a resume that its token could not make.
   */
  private expire(): void {
    this.sendError('token_expired', 'the token of this connection expired without a renewal (session.renew); connect again with a new one');
    this.socket.close(closeCodeFor('token_expired'), 'token_expired');
    this.onClose(1000);
  }

  /**
   * A client's media mistake, for the operator: one warn line without a stack, at most one per connection
   * every 10 s (a broken or hostile client must not flood the log), naming how many were left out.
   */
  private warnMediaError(type: string, message: string): void {
    const now = Date.now();
    if (now - this.mediaWarnedAt < 10_000) {
      this.mediaWarnsSkipped += 1;
      return;
    }
    const skipped = this.mediaWarnsSkipped;
    this.mediaWarnedAt = now;
    this.mediaWarnsSkipped = 0;
    this.log.warn({ connectionId: this.id, type, ...(skipped ? { skipped } : {}) }, `media_error from the client: ${message}`);
  }

  private async onHello(hello: ClientMessageOf<'hello'>): Promise<void> {
    if (this.session || this.authenticating) {
      this.sendError('already_authenticated', 'hello was already received', hello.requestId);
      return;
    }
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(hello.protocol)) {
      this.fail('unsupported_protocol', `protocol ${hello.protocol} is not supported; this server speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(', ')}`, hello.requestId);
      return;
    }
    this.authenticating = true;
    try {
      const identity = await verifyToken(this.ctx.apps, hello.token, hello.environment);
      if (!this.ctx.apps.isOriginAllowed(identity.tenant, this.origin)) {
        this.fail('origin_not_allowed', `origin ${this.origin} is not allowed for this app`, hello.requestId);
        return;
      }
      if (this.closed) return;
      clearTimeout(this.helloTimer);
      const resumed = hello.resume === undefined ? undefined : this.ctx.sessions.find(hello.resume, identity);
      // Not ours: in a cluster it may be the session of a node that died, which this node then continues.
      const adopted = !resumed && hello.resume !== undefined ? await this.ctx.adoptSession?.(hello.resume, identity) : undefined;
      if (this.closed) return;
      // A draining node keeps only the clients whose calls and rooms still run here; others go elsewhere.
      if (!resumed && this.ctx.draining?.()) {
        this.fail('server_draining', 'this server is shutting down: connect again to reach another server', hello.requestId);
        return;
      }
      const admission = this.ctx.quotas.admit(identity, resumed?.attached ?? false);
      if ('code' in admission) {
        this.fail(admission.code, admission.message, hello.requestId);
        return;
      }
      this.admission = admission;
      this.limiter = admission.limiter;
      this.releaseUnauthenticated?.();
      const session = resumed ?? new ClientSession(identity, this, adopted?.linkId);
      // A resume may bring a newer token: the session runs on the later expiry from now on.
      if (resumed) resumed.identity.expiresAt = Math.max(resumed.identity.expiresAt, identity.expiresAt);
      this.session = session;
      this.send({
        type: 'welcome',
        protocol: hello.protocol,
        connectionId: this.id,
        user: { userId: identity.userId, ...(identity.name ? { name: identity.name } : {}), ...(identity.avatarUrl ? { avatarUrl: identity.avatarUrl } : {}) },
        environment: identity.tenant.environment,
        grants: identity.grants,
        resumeToken: session.resumeToken,
        resumed: resumed !== undefined || adopted !== undefined,
        reconnectGraceMs: this.ctx.reconnectGraceMs,
        iceServers: this.ctx.iceServers(identity),
        expiresAt: session.identity.expiresAt,
        ...(hello.requestId !== undefined ? { requestId: hello.requestId } : {}),
      });
      this.scheduleExpiry(session.identity.expiresAt);
      if (resumed) {
        // After the welcome, so the client knows it resumed before it gets what it missed.
        resumed.attach(this);
        this.ctx.onResumed?.(resumed);
      } else {
        this.ctx.sessions.add(session);
        this.ctx.presence.add(session);
        this.ctx.onOpened?.(session, adopted);
      }
    } catch (error) {
      if (error instanceof TokenError) this.fail(error.code, error.message, hello.requestId);
      else {
        this.log.error({ err: error }, 'hello failed');
        this.fail('internal', 'internal error', hello.requestId);
      }
    } finally {
      this.authenticating = false;
    }
  }

  /**
   * A deliberate close (1000/1001/1005) ends the session now. Anything else — the network dropped, a missed
   * heartbeat — keeps it for the grace period so the client can resume; then it ends with connection_lost.
   */
  private onClose(code?: number): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.helloTimer);
    clearInterval(this.heartbeatTimer);
    for (const timer of this.expiryTimers) clearTimeout(timer);
    this.releaseUnauthenticated?.();
    this.admission?.release();
    const session = this.session;
    if (!session || !session.isAttachedTo(this)) return; // never authenticated, or replaced by a resume
    const end = (reason: 'left' | 'connection_lost') => {
      try {
        this.ctx.endSession(session, reason);
      } catch (error) {
        this.log.error({ err: error }, 'disconnect cleanup failed');
      }
    };
    if ((code !== undefined && DELIBERATE_CLOSE_CODES.has(code)) || this.ctx.reconnectGraceMs <= 0) {
      end('left');
      return;
    }
    this.log.info({ connectionId: this.id, code }, 'connection dropped; keeping the session for the grace period');
    session.detach(this.ctx.reconnectGraceMs, () => end('connection_lost'));
    this.ctx.onDetached?.(session);
  }
}
