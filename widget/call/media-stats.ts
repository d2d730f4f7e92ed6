// Receive and send statistics as the widget reports them (getStats(), quality indicators, tests). Kept apart
// from media-client.ts so the engine can make an empty one without loading mediasoup-client.

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

/**
 * Stats with nothing received yet. The per-user records have no prototype: user ids are user-chosen strings,
 * and `constructor` or `__proto__` must be plain keys, not Object.prototype's members.
 */
export function emptyMediaStats(videoTracksSent = 0): MediaStats {
  return {
    audio: Object.create(null) as MediaStats['audio'],
    video: Object.create(null) as MediaStats['video'],
    framesDecoded: Object.create(null) as MediaStats['framesDecoded'],
    audioPacketsReceived: Object.create(null) as MediaStats['audioPacketsReceived'],
    videoTracksSent,
  };
}
