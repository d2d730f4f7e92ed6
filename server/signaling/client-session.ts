import { randomBytes, randomUUID } from 'node:crypto';
import type { NotificationMap, NotificationType, ServerMessage } from '../../protocol';
import type { ClientLink } from '../domain/links';
import type { Identity } from '../domain/tokens';

/** Notifications kept for a dropped connection; a client that misses more than this cannot resume. */
const MAX_BUFFERED = 1000;

/** What a session sends through: the socket it is currently attached to. */
export interface SessionTransport {
  send(message: ServerMessage): void;
  /** Ends the socket because a newer one resumed this session. */
  replace(): void;
  /** Drops the socket abruptly, as a network failure would (tests, operators). */
  terminate(): void;
  /** Closes the socket with `server_draining` (4012): the client reconnects, elsewhere; its session ends here. */
  moveAway(): void;
}

/**
 * One client as the domain sees it (`ClientLink`): outlives its WebSocket. When the socket drops abnormally
 * the session is detached — calls, rooms and presence keep it, notifications are buffered — and a new socket
 * that presents `resumeToken` within the grace period takes it over and receives what it missed.
 */
export class ClientSession implements ClientLink {
  readonly id: string;
  readonly resumeToken = randomBytes(24).toString('base64url');
  private transport: SessionTransport | undefined;
  private buffered: ServerMessage[] = [];
  private overflowed = false;
  private graceTimer: NodeJS.Timeout | undefined;
  ended = false;

  /** `id`: a connection id to continue (another node's session adopted after that node died). */
  constructor(
    readonly identity: Identity,
    transport: SessionTransport,
    id: string = randomUUID(),
  ) {
    this.id = id;
    this.transport = transport;
  }

  notify<T extends NotificationType>(type: T, payload: NotificationMap[T]): void {
    this.send({ type, ...payload } as ServerMessage);
  }

  send(message: ServerMessage): void {
    if (this.ended) return;
    if (this.transport) return this.transport.send(message);
    if (this.buffered.length < MAX_BUFFERED) this.buffered.push(message);
    else this.overflowed = true;
  }

  get attached(): boolean {
    return this.transport !== undefined;
  }

  isAttachedTo(transport: SessionTransport): boolean {
    return this.transport === transport;
  }

  /** Whether a resume can still restore everything (nothing was dropped from the buffer). */
  get resumable(): boolean {
    return !this.ended && !this.overflowed;
  }

  /** The socket dropped: keep the place for `graceMs`, then `onExpired`. */
  detach(graceMs: number, onExpired: () => void): void {
    this.transport = undefined;
    clearTimeout(this.graceTimer);
    this.graceTimer = setTimeout(onExpired, graceMs);
  }

  /** A new socket resumes this session: it gets what was missed; a still-open older socket is replaced. */
  attach(transport: SessionTransport): void {
    clearTimeout(this.graceTimer);
    const previous = this.transport;
    this.transport = transport;
    previous?.replace();
    for (const message of this.buffered.splice(0)) transport.send(message);
  }

  /** Drain: tells the client to continue elsewhere. False when no socket is attached (nobody to tell). */
  moveAway(): boolean {
    if (!this.transport) return false;
    this.transport.moveAway();
    return true;
  }

  terminateConnection(): void {
    this.transport?.terminate();
  }

  end(): void {
    this.ended = true;
    clearTimeout(this.graceTimer);
    this.buffered = [];
    this.transport = undefined;
  }
}

/** Sessions by resume token, so a reconnecting client finds its session again. */
export class SessionRegistry {
  private readonly byToken = new Map<string, ClientSession>();
  private readonly byId = new Map<string, ClientSession>();

  add(session: ClientSession): void {
    this.byToken.set(session.resumeToken, session);
    this.byId.set(session.id, session);
  }

  remove(session: ClientSession): void {
    this.byToken.delete(session.resumeToken);
    this.byId.delete(session.id);
  }

  /** The live session with this connection id (another node relays a notification to it). */
  withId(id: string): ClientSession | undefined {
    return this.byId.get(id);
  }

  /** The session to resume: same app environment and user, still within its grace period. */
  find(resumeToken: string, identity: Identity): ClientSession | undefined {
    const session = this.byToken.get(resumeToken);
    if (!session || !session.resumable) return undefined;
    if (session.identity.tenant.key !== identity.tenant.key || session.identity.userId !== identity.userId) return undefined;
    return session;
  }

  all(): ClientSession[] {
    return [...this.byToken.values()];
  }

  get size(): number {
    return this.byToken.size;
  }
}
