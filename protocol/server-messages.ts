import type { ErrorCode } from './errors';
import type { ClientRequestType, MediaSource } from './client-messages';

/** Why a call ended — exactly these strings on the wire and in `call-ended` events. */
export const CALL_END_REASONS = [
  'hangup',
  'declined',
  'cancelled',
  'no_answer',
  'busy',
  'unavailable',
  'answered_elsewhere',
  'failed',
  /** A participant's connection did not come back within the reconnection grace period. */
  'connection_lost',
  /** The server restarted while the call was open (set on the record at the next start). */
  'server_restart',
] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

export type Environment = 'development' | 'production';

export type ParticipantRole = 'participant' | 'host' | 'audience';

export interface ParticipantInfo {
  userId: string;
  name?: string;
  avatarUrl?: string;
  /** In rooms: `participant` (conference/call), `host` or `audience` (live). */
  role?: ParticipantRole;
}

/** What the token allows; sent in `welcome` so the widget knows, e.g., not to open a send transport. */
export interface GrantsInfo {
  canPublish: boolean;
  canSubscribe: boolean;
  roomAdmin: boolean;
}

export type RoomKind = 'conference' | 'live' | 'call';

export interface ProducerInfo {
  producerId: string;
  userId: string;
  kind: 'audio' | 'video';
  source: MediaSource;
  paused: boolean;
}

export interface TransportOptions {
  id: string;
  iceParameters: unknown;
  iceCandidates: unknown[];
  dtlsParameters: unknown;
}

export interface ConsumerOptions {
  id: string;
  producerId: string;
  kind: 'audio' | 'video';
  rtpParameters: unknown;
  userId: string;
  source: MediaSource;
  producerPaused: boolean;
}

export interface RoomJoined {
  roomId: string;
  kind: RoomKind;
  sessionId: string;
  /** Your role in this room; the audience of a live room gets no send transport. */
  role: ParticipantRole;
  audienceCount: number;
  routerRtpCapabilities: unknown;
  participants: ParticipantInfo[];
  producers: ProducerInfo[];
  /** Who is speaking now (null: nobody yet); later changes arrive as `room.activeSpeaker`. */
  activeSpeaker?: string | null;
}

export type CallPhase = 'ringing' | 'connected' | 'ended';

/** What both sides know about a call. */
export interface CallInfo {
  callId: string;
  caller: ParticipantInfo;
  callees: string[];
  video: boolean;
  phase: CallPhase;
  /** Where each invited user stands: ringing, joined, left, declined, no_answer, busy, unavailable, cancelled. */
  invitees?: Record<string, string>;
  sessionId?: string;
  connectedAt?: number;
}

export interface CallEnded {
  callId: string;
  sessionId?: string;
  reason: CallEndReason;
  durationMs: number;
}

/** One of your calls, as your recent-calls list shows it. */
export interface RecentCall {
  callId: string;
  direction: 'incoming' | 'outgoing';
  /** Everyone else in the call: the caller and other callees (incoming), or who you called (outgoing). */
  peers: ParticipantInfo[];
  /** How many peers in all, when there are more than `peers` names (at most 8). */
  peerCount?: number;
  video: boolean;
  /** When it rang (ms since epoch). */
  at: number;
  durationMs: number;
  /** Incoming and you never answered it (no answer, cancelled by the caller, busy or offline). */
  missed: boolean;
  /** Why it ended (absent while it is still going on). */
  reason?: string;
}

/** The `data` of a successful `response` to each request type. */
export interface ResponseMap {
  'room.join': RoomJoined;
  'room.leave': Record<string, never>;
  'room.setRole': Record<string, never>;
  'room.muteParticipant': Record<string, never>;
  'room.removeParticipant': Record<string, never>;
  'room.allowParticipant': Record<string, never>;
  /** The connection now runs on the new token: its expiry, and TURN credentials derived for it. */
  'session.renew': { expiresAt: number; iceServers: IceServerInfo[] };
  'call.invite': { call: CallInfo };
  'media.setConsumerView': Record<string, never>;
  'call.dial': { call: CallInfo; room: RoomJoined };
  'call.accept': { call: CallInfo; room: RoomJoined };
  'call.prepare': Record<string, never>;
  'call.decline': Record<string, never>;
  'call.cancel': Record<string, never>;
  'call.hangup': Record<string, never>;
  ping: Record<string, never>;
  'calls.recent': { calls: RecentCall[] };
  'media.createTransport': TransportOptions;
  'media.connectTransport': Record<string, never>;
  'media.restartIce': { iceParameters: unknown };
  'media.setRtpCapabilities': Record<string, never>;
  'media.produce': { producerId: string };
  'media.closeProducer': Record<string, never>;
  'media.pauseProducer': Record<string, never>;
  'media.resumeProducer': Record<string, never>;
  'media.consume': ConsumerOptions;
  'media.resumeConsumer': Record<string, never>;
}
export type ResponseOf<T extends ClientRequestType> = ResponseMap[T];

/** Server → client messages that are not responses: pushed when something happens. */
export interface NotificationMap {
  /** Carries the router's capabilities so the callee can prepare its media while it rings. */
  'call.incoming': { call: CallInfo; routerRtpCapabilities: unknown };
  'call.state': { call: CallInfo };
  'call.ended': CallEnded;
  'room.participantJoined': { participant: ParticipantInfo };
  'room.participantLeft': { userId: string };
  /** The room ended under you (its media server failed, or you were removed). */
  'room.closed': { roomId: string; reason: 'failed' | 'removed' };
  /** The loudest participant changed (null: silence). */
  'room.activeSpeaker': { userId: string | null };
  'room.roleChanged': { userId: string; role: ParticipantRole };
  'room.audience': { count: number };
  /** A room admin paused one of your producers; unmuting is up to you. */
  'media.forceMuted': { producerId: string; source: MediaSource; by: string };
  'media.producerAdded': { producer: ProducerInfo };
  'media.producerClosed': { producerId: string };
  'media.producerState': { producerId: string; paused: boolean };
  'media.consumerClosed': { consumerId: string; producerId: string };
  /**
   * The room's media moved to another media worker (the old one died): drop every transport, producer and
   * consumer, create new transports with these capabilities, publish again and consume what others publish.
   */
  'media.reset': { routerRtpCapabilities: unknown };
  /** Someone's connection dropped (they are reconnecting; their place is kept) or came back. */
  'room.participantConnection': { userId: string; connected: boolean };
  /**
   * The connection's token expires at `expiresAt` (ms since epoch): send `session.renew` with a new token
   * before then, or the connection is closed with `token_expired` (4003).
   */
  'session.tokenExpiring': { expiresAt: number };
}
export type NotificationType = keyof NotificationMap;
export type Notification = { [T in NotificationType]: { type: T } & NotificationMap[T] }[NotificationType];

/** A STUN/TURN server for the browser's RTCPeerConnection (`RTCIceServer`): TURN credentials are per user and expire. */
export interface IceServerInfo {
  urls: string[];
  username?: string;
  credential?: string;
}

export interface Welcome {
  type: 'welcome';
  protocol: number;
  connectionId: string;
  user: ParticipantInfo;
  environment: Environment;
  grants: GrantsInfo;
  /** Send it as `hello.resume` on a new connection after this one drops, to resume within the grace period. */
  resumeToken: string;
  /** Whether this connection resumed the one named by `hello.resume` (false: a fresh start, nothing kept). */
  resumed: boolean;
  /** How long (ms) the server keeps a dropped connection's calls and rooms. */
  reconnectGraceMs: number;
  /** TURN servers with this user's credentials for every media transport (empty when the server has no TURN). */
  iceServers: IceServerInfo[];
  /** When the token this connection runs on expires (ms since epoch); `session.tokenExpiring` comes before. */
  expiresAt: number;
  requestId?: string;
}

export interface ResponseMessage {
  type: 'response';
  requestId: string;
  data: unknown;
}

export interface ErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  requestId?: string;
}

export type ServerMessage = Welcome | ResponseMessage | ErrorMessage | Notification;
