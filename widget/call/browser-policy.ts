import type { types } from 'mediasoup-client';

/** What an inbound-rtp video report gives us, in whichever fields this browser fills. */
export interface InboundVideoReport {
  framesDecoded?: number;
  framesPerSecond?: number;
  freezeCount?: number;
  totalFreezesDuration?: number;
}

/**
 * Everything browser-specific about media, in one place, chosen by mediasoup-client's handler name (the name
 * of the browser family it drives): adding a browser means adding one entry here.
 */
export interface BrowserMediaPolicy {
  /** Which browser family this is, for diagnostics. */
  readonly family: 'chromium' | 'firefox' | 'safari';
  /** Simulcast encodings for a camera capturing `captureWidth` pixels wide. */
  cameraEncodings(captureWidth: number | undefined): types.RtpEncodingParameters[];
  /** Codec options for the camera producer (options a browser does not know are not sent). */
  readonly cameraCodecOptions: types.ProducerCodecOptions;
  readonly micCodecOptions: types.ProducerCodecOptions;
  /** Freeze counters of a received video, when this browser reports them. */
  freezes(report: InboundVideoReport): { count: number; durationMs: number } | undefined;
}

/**
 * Simulcast layers so the SFU can fit each viewer's tile: 320/640/1280 wide for a 720p camera. Below 960 px
 * Chrome sends at most two layers (its simulcast table), so a 360p camera gets 320/640. Firefox follows the
 * same scale-down factors (mediasoup-client orders its encodings for it).
 */
export function cameraEncodings(captureWidth: number | undefined): types.RtpEncodingParameters[] {
  if ((captureWidth ?? 1280) >= 960) {
    return [
      { rid: 'r0', scaleResolutionDownBy: 4, maxBitrate: 150_000 },
      { rid: 'r1', scaleResolutionDownBy: 2, maxBitrate: 500_000 },
      { rid: 'r2', scaleResolutionDownBy: 1, maxBitrate: 1_500_000 },
    ];
  }
  return [
    { rid: 'r0', scaleResolutionDownBy: 2, maxBitrate: 200_000 },
    { rid: 'r1', scaleResolutionDownBy: 1, maxBitrate: 700_000 },
  ];
}

const MIC_OPTIONS: types.ProducerCodecOptions = { opusDtx: true, opusFec: true };

/** The standard freeze counters (inbound-rtp freezeCount / totalFreezesDuration in seconds), where present. */
const chromeFreezes = (report: InboundVideoReport) =>
  report.freezeCount === undefined ? undefined : { count: report.freezeCount, durationMs: Math.round((report.totalFreezesDuration ?? 0) * 1000) };

const CHROMIUM: BrowserMediaPolicy = {
  family: 'chromium',
  cameraEncodings,
  // x-google-start-bitrate: Chromium's encoder starts near 1 Mbps instead of ramping up from 300 kbps.
  cameraCodecOptions: { videoGoogleStartBitrate: 1000 },
  micCodecOptions: MIC_OPTIONS,
  freezes: chromeFreezes,
};

const FIREFOX: BrowserMediaPolicy = {
  family: 'firefox',
  cameraEncodings,
  // The x-google-* parameters mean nothing to Firefox's encoder.
  cameraCodecOptions: {},
  micCodecOptions: MIC_OPTIONS,
  // Firefox (ESR 153) leaves the freeze counters out of inbound-rtp: unknown (undefined), not zero.
  freezes: chromeFreezes,
};

const SAFARI: BrowserMediaPolicy = { ...CHROMIUM, family: 'safari', cameraCodecOptions: {} };

/** The policy for a mediasoup-client handler name (`Chrome111`, `Firefox120`, `Safari12`, ...). */
export function mediaPolicyFor(handlerName: string): BrowserMediaPolicy {
  if (handlerName.startsWith('Firefox')) return FIREFOX;
  if (handlerName.startsWith('Safari')) return SAFARI;
  return CHROMIUM;
}
