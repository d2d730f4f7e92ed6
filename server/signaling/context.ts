import type { AppRegistry } from '../domain/apps';
import type { CallService } from '../domain/calls';
import type { Moderation } from '../domain/moderation';
import type { Presence } from '../domain/presence';
import type { RoomRegistry } from '../domain/rooms';
import type { SignalingConnection, SignalingLimits } from './connection';

/** The services a signaling connection talks to. */
export interface SignalingContext {
  apps: AppRegistry;
  presence: Presence;
  rooms: RoomRegistry;
  calls: CallService;
  moderation: Moderation;
  limits: SignalingLimits;
  onConnected?(connection: SignalingConnection): void;
  onDisconnected?(connection: SignalingConnection): void;
}
