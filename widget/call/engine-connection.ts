import type { GrantsInfo, Notification, ParticipantInfo, ProtocolError, Welcome } from '../../protocol';
import type { EngineOptions } from './engine';
import { watchReconnection } from './reconnection';
import { SignalingClient, SignalingError, type SocketFactory, toProtocolError } from './signaling-client';

/** What the connection tells its engine. */
export interface ConnectionHost {
  connected(me: ParticipantInfo): void;
  /** It could not open, or closed for good (a refused token, the grace period over without a session). */
  lost(error: ProtocolError | undefined): void;
  interrupted(): void;
  /** Back, with the server still holding our calls and rooms. */
  resumed(): void;
  /** The server no longer has our session (`connected`: we are back, fresh), or the grace passed offline. */
  resumeFailed(connected: boolean): void;
  notification(n: Notification): void;
  error(error: ProtocolError): void;
}

/**
 * The engine's signaling connection: opens it, follows its reconnection (the supervision itself is
 * connection-machine.ts inside SignalingClient), keeps the grants of the latest welcome, and remembers a
 * hang-up made while offline so the server hears it once the connection is back.
 */
export class EngineConnection {
  grants: GrantsInfo = { canPublish: true, canSubscribe: true, roomAdmin: false };
  private signaling: SignalingClient | undefined;
  private unwatch: (() => void) | undefined;
  /** Left while reconnecting: the server still has us in the call or room until we tell it. */
  private leaveOnResume = false;

  constructor(
    private readonly options: EngineOptions & { socketFactory?: SocketFactory },
    private readonly host: ConnectionHost,
  ) {}

  async open(): Promise<void> {
    const o = this.options;
    const signaling = new SignalingClient({
      server: o.server,
      token: o.token,
      ...(o.environment ? { environment: o.environment } : {}),
      ...(o.iceTransportPolicy ? { iceTransportPolicy: o.iceTransportPolicy } : {}),
      ...(o.socketFactory ? { socketFactory: o.socketFactory } : {}),
      ...(o.reconnectGraceMs !== undefined ? { reconnectGraceMs: o.reconnectGraceMs } : {}),
    });
    this.signaling = signaling;
    signaling.on((n) => this.host.notification(n));
    signaling.onClose = (error) => this.host.lost(error ? toProtocolError(error) : undefined);
    this.unwatch = watchReconnection(signaling, {
      interrupted: () => this.host.interrupted(),
      resumed: (welcome) => this.onResumed(welcome),
      graceExpired: () => this.host.resumeFailed(false),
    });
    try {
      const welcome = await signaling.connect();
      this.grants = welcome.grants;
      this.host.connected(welcome.user);
    } catch (error) {
      this.host.lost(toProtocolError(error));
      this.host.error(toProtocolError(error));
    }
  }

  private onResumed(welcome: Welcome): void {
    this.grants = welcome.grants;
    if (!welcome.resumed) return this.host.resumeFailed(true);
    if (this.leaveOnResume) void this.client().request('room.leave', {}).catch(() => undefined);
    this.leaveOnResume = false;
    this.host.resumed();
  }

  /** Moves the open connection to a new token of the same user (before the old one expires): nothing stops. */
  async renew(token: string): Promise<void> {
    await this.client().renewToken(token);
  }

  /** The server did not hear that we left (we were offline): tell it once the connection is back. */
  leaveWhenBack(): void {
    this.leaveOnResume = true;
  }

  close(): void {
    this.unwatch?.();
    this.unwatch = undefined;
    this.signaling?.close();
    this.signaling = undefined;
  }

  /** The open connection, or a typed `connection_closed`. */
  client(): SignalingClient {
    if (!this.signaling) throw new SignalingError('connection_closed', 'not connected');
    return this.signaling;
  }

  get isOpen(): boolean {
    return this.signaling !== undefined;
  }
}
