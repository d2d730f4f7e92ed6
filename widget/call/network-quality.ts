import type { MediaStats } from './media-client';

import type { NetworkQuality } from './engine';

export type { NetworkQuality } from './engine';

/** Above this share of lost inbound packets, or this jitter, over a sampling interval, the call is "poor". */
const POOR_LOSS = 0.05;
const POOR_JITTER_MS = 80;

/**
 * How the network is doing between two stats samples, from what we receive: the share of inbound audio packets
 * lost in the interval and the audio jitter. Pure, so it is unit-tested with numbers.
 */
export function assessQuality(previous: MediaStats | undefined, current: MediaStats): NetworkQuality {
  let received = 0;
  let lost = 0;
  let jitter = 0;
  for (const [userId, now] of Object.entries(current.audio)) {
    const before = previous?.audio[userId];
    received += Math.max(0, now.packetsReceived - (before?.packetsReceived ?? 0));
    lost += Math.max(0, now.packetsLost - (before?.packetsLost ?? 0));
    jitter = Math.max(jitter, now.jitterMs);
  }
  const total = received + lost;
  if (total >= 20 && lost / total > POOR_LOSS) return 'poor';
  return jitter > POOR_JITTER_MS ? 'poor' : 'good';
}
