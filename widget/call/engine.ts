/**
 * The widget engine's contract: every type the element, its controllers and views see is defined here (or in
 * protocol/). The engine's modules implement it and import these types from here; components import nothing
 * else from widget/call/ (test/unit/layering.test.ts).
 */
import type { CallEnded, CallInfo, GrantsInfo, ParticipantInfo, ParticipantRole, ProtocolError, RecentCall } from '../../protocol';

/** What the user is doing: a ringing call (CallID) or a conference room (RoomID). */
export interface Activity {
  kind: 'call' | 'room';
  id: string;
  sessionId?: string;
  video: boolean;
  call?: CallInfo;
  /** When media started flowing (ms since epoch), for the call timer. */
  connectedAt?: number;
}

/** A state the connection can drop out of and come back to. */
export type ResumableState = Exclude<CallMachineState, { status: 'disconnected' | 'connecting' | 'reconnecting' }>;

export type CallMachineState =
  | { status: 'disconnected'; error?: ProtocolError }
  | { status: 'connecting' }
  | { status: 'idle'; me: ParticipantInfo }
  | { status: 'outgoing'; me: ParticipantInfo; activity: Activity; callees: string[] }
  | { status: 'incoming'; me: ParticipantInfo; call: CallInfo }
  | { status: 'joining'; me: ParticipantInfo; activity: Activity }
  | { status: 'in-call'; me: ParticipantInfo; activity: Activity }
  | { status: 'ended'; me: ParticipantInfo; ended: CallEnded }
  | { status: 'error'; me?: ParticipantInfo; error: ProtocolError }
  /** The connection dropped; what we were doing (`prior`) is kept while we resume it. */
  | { status: 'reconnecting'; me: ParticipantInfo; prior: ResumableState; since: number };

/** The small public status: the element's `state` property and attribute. */
export type CallStatus = CallMachineState['status'];

/** Public events a state change means, derived (never stored): both the real engine and the simulator use it. */
export type StatusEvent =
  | { type: 'state-change'; state: CallStatus }
  | { type: 'incoming'; call: CallInfo }
  | { type: 'connected'; callId: string; sessionId: string }
  | { type: 'ended'; ended: CallEnded }
  | { type: 'error'; error: ProtocolError }
  | { type: 'reconnecting' }
  | { type: 'reconnected' };

export type ControllerEvent =
  | StatusEvent
  | { type: 'outgoing'; call: CallInfo }
  /** The connection's token expires at `expiresAt` (ms since epoch) unless `renewToken` is called before. */
  | { type: 'token-expiring'; expiresAt: number };

export type DeviceKind = 'camera' | 'microphone' | 'speaker';
export interface DeviceOption {
  deviceId: string;
  label: string;
}

/** What the element reads and calls for the pre-join screen: devices, choices, preview, mic level, problems. */
export interface DeviceView {
  readonly cameras: DeviceOption[];
  readonly microphones: DeviceOption[];
  readonly speakers: DeviceOption[];
  readonly selected: Readonly<Partial<Record<DeviceKind, string>>>;
  readonly preview: MediaStream | undefined;
  /** Microphone level of the preview, 0–1, updated ten times a second. */
  readonly micLevel: number;
  /** Why there is no preview: `media_permission_denied` or `media_device_not_found`. */
  readonly problem: ProtocolError | undefined;
  /** Whether this browser can route call audio to a chosen output (HTMLMediaElement.setSinkId). */
  readonly speakerSelectable: boolean;
  startPreview(): Promise<void>;
  stopPreview(): void;
  select(kind: DeviceKind, deviceId: string): Promise<void>;
}

/** What the element reads: the list, the badge count, and "the list was shown". */
export interface RecentCallsView {
  readonly calls: RecentCall[];
  readonly missedCount: number;
  markSeen(): void;
}

/** One remote participant's media as the UI needs it. */
export interface RemoteMedia {
  userId: string;
  /** Their camera and microphone as received; none while they publish nothing. */
  stream?: MediaStream;
  /** Their screen share, if any (shown spotlighted). */
  screenStream?: MediaStream;
  hasAudio: boolean;
  hasVideo: boolean;
  micMuted: boolean;
  cameraOff: boolean;
}

/** Someone else on stage in your call or room: a tile from the moment they join, with their media once it arrives. */
export interface RemoteParticipant extends RemoteMedia {
  name?: string;
  /** From their token, for the tile when their camera is off. */
  avatarUrl?: string;
  role?: ParticipantRole;
  speaking: boolean;
}

/** A rendered tile: the element reports each one so the server forwards only what is shown, at the size shown. */
export interface TileView {
  userId: string;
  source: 'camera' | 'screen';
  width: number;
  height: number;
}

export interface VideoReceiveStats {
  frameWidth: number;
  frameHeight: number;
  framesPerSecond: number;
  /** Inbound bitrate since the previous getStats() call. */
  bitrateKbps: number;
  framesDecoded: number;
  /** The browser's own freeze accounting where it keeps one (Chromium); 0 where it does not (Firefox). */
  freezeCount: number;
  totalFreezesDurationMs: number;
}

export interface AudioReceiveStats {
  packetsReceived: number;
  packetsLost: number;
  jitterMs: number;
}

export interface MediaStats {
  /** Per remote user's microphone: packets, loss and jitter. */
  audio: Record<string, AudioReceiveStats>;
  /** Per remote user's camera: resolution, frame rate and bitrate. */
  video: Record<string, VideoReceiveStats>;
  /** Video frames decoded per remote user. */
  framesDecoded: Record<string, number>;
  /** Audio RTP packets received per remote user. */
  audioPacketsReceived: Record<string, number>;
  /** Video producers being sent (0 in an audio-only call). */
  videoTracksSent: number;
}

/** `poor`: packets are being lost or arriving late. */
export type NetworkQuality = 'good' | 'poor';


/** What the element hands an engine it creates: where to connect, as whom, and how. */
export interface EngineOptions {
  server: string;
  token: string;
  environment?: 'development' | 'production';
  videoResolution?: '360p' | '720p';
  /** `relay`: every media transport goes through the server's TURN relay (strict networks, testing). */
  iceTransportPolicy?: 'all' | 'relay';
  /** How long to try resuming a dropped connection before the call ends (default: the server's, 20 s). */
  reconnectGraceMs?: number;
}

/** Makes the real engine; the composition root (widget/call-widget.ts) gives the element `CallController`. */
export type EngineFactory = (options: EngineOptions) => CallEngine;

/** What a room admin may do to another participant. */
export type ModerationAction = 'mute-mic' | 'mute-camera' | 'remove' | 'allow' | 'to-stage' | 'to-audience';

export interface RoomView {
  role: string;
  audienceCount: number;
  activeSpeaker: string | null;
  /** `poor`: packets are being lost or arriving late; the element shows a notice. */
  networkQuality: NetworkQuality;
}

/**
 * What the element needs from an engine. `CallController` is the real one; the demo's simulator implements
 * the same interface so every state can be shown without a server.
 */
export interface CallEngine {
  readonly state: CallMachineState;
  readonly status: CallStatus;
  readonly localStream: MediaStream | undefined;
  readonly screenStream: MediaStream | undefined;
  readonly grants: GrantsInfo;
  /** Your role in the current room, its audience size, who is speaking and how the network is doing. */
  readonly room: RoomView | undefined;
  readonly micEnabled: boolean;
  /** Devices, choices and the pre-join preview. */
  readonly devices: DeviceView;
  /** Your recent calls, newest first, and how many missed ones you have not looked at (`markSeen` clears it). */
  readonly recent: RecentCallsView;
  readonly cameraEnabled: boolean;
  subscribe(listener: (event: ControllerEvent | undefined) => void): () => void;
  connect(): Promise<void>;
  disconnect(): void;
  dial(callees: string[], video: boolean): Promise<void>;
  accept(video: boolean): Promise<void>;
  decline(): Promise<void>;
  cancel(): Promise<void>;
  hangup(): Promise<void>;
  join(roomId: string, video: boolean, kind?: 'conference' | 'live'): Promise<void>;
  invite(userIds: string[]): Promise<void>;
  startScreenShare(): Promise<void>;
  stopScreenShare(): Promise<void>;
  moderate(action: ModerationAction, userId: string): Promise<void>;
  /** Moves the open connection to a new token of the same user before the old one expires. */
  renewToken(token: string): Promise<void>;
  setTileViews(views: TileView[]): void;
  leave(): Promise<void>;
  dismiss(): void;
  setMicEnabled(on: boolean): Promise<void>;
  setCameraEnabled(on: boolean): Promise<void>;
  remotes(): RemoteParticipant[];
  getStats(): Promise<MediaStats>;
}
