import type { MediaStats } from './engine';

export type { AudioReceiveStats, MediaStats, VideoReceiveStats } from './engine';

// Receive and send statistics as the widget reports them (getStats(), quality indicators, tests). Kept apart
// from media-client.ts so the engine can make an empty one without loading mediasoup-client.

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
