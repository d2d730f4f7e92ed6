import type { ProtocolError, RecentCall } from '../../../protocol';
import type { CallEngine, CallMachineState, DeviceKind, DeviceOption, RemoteParticipant, RoomView } from '../../call/engine';

/**
 * What the views show, read from the engine once per render: plain data. Views (views/) are functions of this
 * and of the element's own UI state; they never see the engine, the browser's APIs or the network.
 */
export interface CallView {
  readonly state: CallMachineState;
  readonly remotes: readonly RemoteParticipant[];
  readonly localStream: MediaStream | undefined;
  readonly sharingScreen: boolean;
  readonly micEnabled: boolean;
  readonly cameraEnabled: boolean;
  readonly canPublish: boolean;
  readonly isAdmin: boolean;
  /** Your role in the room, its audience, the speaker and the network. */
  readonly room: RoomView | undefined;
  readonly recent: { readonly calls: readonly RecentCall[]; readonly missedCount: number };
  /** When this was read (ms since epoch): the call timer counts from it. */
  readonly now: number;
}

export function callViewOf(engine: CallEngine, now: number): CallView {
  return {
    state: engine.state,
    remotes: engine.remotes(),
    localStream: engine.localStream,
    sharingScreen: engine.screenStream !== undefined,
    micEnabled: engine.micEnabled,
    cameraEnabled: engine.cameraEnabled,
    canPublish: engine.grants.canPublish,
    isAdmin: engine.grants.roomAdmin,
    room: engine.room,
    recent: { calls: engine.recent.calls, missedCount: engine.recent.missedCount },
    now,
  };
}

/** The pre-join screen's data: devices and choices, the preview and its microphone level, the menu. */
export interface PrejoinView {
  readonly preview: MediaStream | undefined;
  /** 0–100; 0 while the microphone is off. */
  readonly micLevel: number;
  readonly devices: Readonly<Record<DeviceKind, readonly DeviceOption[]>>;
  readonly selected: Readonly<Partial<Record<DeviceKind, string>>>;
  readonly speakerSelectable: boolean;
  /** Why there is no preview (blocked, or no device). */
  readonly problem: ProtocolError | undefined;
  readonly micEnabled: boolean;
  readonly cameraEnabled: boolean;
  readonly menuOpen: boolean;
  /** The room "Join now" joins, if any. */
  readonly room: string | undefined;
}

export function prejoinViewOf(engine: CallEngine, menuOpen: boolean, room: string | undefined): PrejoinView {
  const d = engine.devices;
  return {
    preview: d.preview,
    micLevel: engine.micEnabled ? Math.round(d.micLevel * 100) : 0,
    devices: { camera: d.cameras, microphone: d.microphones, speaker: d.speakers },
    selected: d.selected,
    speakerSelectable: d.speakerSelectable,
    problem: d.problem,
    micEnabled: engine.micEnabled,
    cameraEnabled: engine.cameraEnabled,
    menuOpen,
    room,
  };
}
