import type { CallMachineState, CallStatus } from './call-machine';
import type { GrantsInfo } from '../../protocol';
import type { RecentCallsView } from './recent-calls';
import type { DeviceView } from './devices';
import type { ControllerEvent, RemoteParticipant, TileView } from './call-controller';
import type { MediaStats } from './media-client';
import type { NetworkQuality } from './network-quality';

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
