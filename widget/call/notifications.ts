import type { CallEnded, CallInfo, Notification } from '../../protocol';

/** Where server notifications go: the engine's reactions to call-level ones, the room session for the rest. */
export interface NotificationTargets {
  incoming(call: CallInfo, routerRtpCapabilities: unknown): void;
  callUpdated(call: CallInfo): void;
  callEnded(ended: CallEnded): void;
  tokenExpiring(expiresAt: number): void;
  /** The room moved to another media worker (or, while ringing, the prepared router went away). */
  mediaReset(routerRtpCapabilities: unknown): void;
  /** The room ended under you: removed by an admin, or its media failed for good. */
  roomClosed(reason: 'failed' | 'removed'): void;
  /** The room session that takes room and media notifications, once it exists. */
  session(): { handle(n: Notification): void } | undefined;
  /** Dialling or joining: room notifications may come before the session exists; they wait for it. */
  awaitingSession(): boolean;
}

/**
 * The one place a server notification is routed: call-level ones to the engine, room and media ones to the
 * room session — queued, in order, when they arrive between a join's response and the session existing.
 */
export class NotificationRouter {
  private early: Notification[] = [];

  constructor(private readonly to: NotificationTargets) {}

  route(n: Notification): void {
    switch (n.type) {
      case 'call.incoming':
        return this.to.incoming(n.call, n.routerRtpCapabilities);
      case 'call.state':
        return this.to.callUpdated(n.call);
      case 'call.ended': {
        const { type: _type, ...ended } = n;
        return this.to.callEnded(ended);
      }
      case 'session.tokenExpiring':
        return this.to.tokenExpiring(n.expiresAt);
      case 'media.reset':
        return this.to.mediaReset(n.routerRtpCapabilities);
      case 'room.closed':
        return this.to.roomClosed(n.reason);
      default: {
        const session = this.to.session();
        if (session) session.handle(n);
        else if (this.to.awaitingSession()) this.early.push(n);
      }
    }
  }

  /** The session exists now: it gets what arrived before it, in order. */
  flushTo(session: { handle(n: Notification): void }): void {
    for (const n of this.early.splice(0)) session.handle(n);
  }

  /** The activity ended: what waited for its session is dropped. */
  clear(): void {
    this.early = [];
  }
}
