import type { IceServerInfo, RecentCall } from '../../protocol';
import type { ClientRequest } from '../../protocol/client-messages';
import type { ClientLink } from '../domain/links';
import type { AdoptableSession } from '../topology/topology';
import type { Identity } from '../domain/tokens';
import type { AppRegistry } from '../domain/apps';
import type { CallService } from '../domain/calls';
import type { MediaUseCases } from '../domain/media-use-cases';
import type { Moderation } from '../domain/moderation';
import type { Presence } from '../domain/presence';
import type { RoomRegistry } from '../domain/rooms';
import type { ClientSession, SessionRegistry } from './client-session';
import type { SignalingLimits } from '../config';
import type { SignalingQuotas } from './user-quotas';

/** The services a signaling connection talks to. */
export interface SignalingContext {
  apps: AppRegistry;
  presence: Presence;
  rooms: RoomRegistry;
  calls: CallService;
  moderation: Moderation;
  /** Runs a request: here, or — in a cluster — on the node holding its call or room. */
  dispatch(link: ClientLink, request: ClientRequest): Promise<unknown>;
  /** A participant's own media: transports, publishing (the publish policy lives there), pausing. */
  media: MediaUseCases;
  limits: SignalingLimits;
  /** Connections per user and per app environment, and each user's shared message budget. */
  quotas: SignalingQuotas;
  recentCalls(tenantKey: string, userId: string, limit: number, before?: number): Promise<RecentCall[]>;
  sessions: SessionRegistry;
  /** TURN servers with fresh credentials for this identity (in every welcome, so a resume renews them). */
  iceServers(identity: Identity): IceServerInfo[];
  /** How long a dropped connection's session (calls, rooms, presence) is kept for a resume. */
  reconnectGraceMs: number;
  /** The client is gone: it closed deliberately (`left`) or did not come back in time (`connection_lost`). */
  endSession(session: ClientSession, reason: 'left' | 'connection_lost'): void;
  onDetached?(session: ClientSession): void;
  /** True once shutdown began: new calls, rooms and connections are refused (`server_draining`). */
  draining?(): boolean;
  /** Every request's type, outcome and duration in seconds (for /metrics). */
  observeRequest?(type: string, outcome: 'ok' | 'error', seconds: number): void;
  onResumed?(session: ClientSession): void;
  /** A resume token this node does not know: the session of a dead cluster node to continue here, if any. */
  adoptSession?(resumeToken: string, identity: Identity): Promise<AdoptableSession | undefined>;
  /** A session starts here: new, or `adopted` from a dead node. */
  onOpened?(session: ClientSession, adopted: AdoptableSession | undefined): void;
}
