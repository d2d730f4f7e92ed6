import { randomBytes } from 'node:crypto';
import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { ROUTER_MEDIA_CODECS } from './codecs';

/** RTP ports where an external sender (ffmpeg) delivers VP8 and opus to the probe. */
export interface ProbeInputs {
  video: { rtp: number; rtcp: number; ssrc: number; payloadType: number };
  audio: { rtp: number; rtcp: number; ssrc: number; payloadType: number };
}

/**
 * Forwarding-capacity probe for bench/sfu-capacity.ts: one worker, one router, a VP8 and an opus producer fed
 * over PlainTransports, and as many consumers (each on its own PlainTransport sending to a sink port) as asked.
 * Lives here because server/media is the only place that imports mediasoup.
 */
export class ForwardingProbe {
  private readonly consumerTransports: types.PlainTransport[] = [];

  private constructor(
    private readonly worker: types.Worker,
    private readonly router: types.Router,
    private readonly producers: types.Producer[],
    readonly inputs: ProbeInputs,
  ) {}

  static async start(rtcMinPort = 40000, rtcMaxPort = 49999): Promise<ForwardingProbe> {
    const worker = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort, rtcMaxPort });
    const router = await worker.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    const input = () => router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
    const [videoIn, audioIn] = [await input(), await input()];
    const video = await videoIn.produce({
      kind: 'video',
      rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 22222222 }] },
    });
    const audio = await audioIn.produce({
      kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 } }], encodings: [{ ssrc: 11111111 }] },
    });
    return new ForwardingProbe(worker, router, [video, audio], {
      video: { rtp: videoIn.tuple.localPort, rtcp: videoIn.rtcpTuple!.localPort, ssrc: 22222222, payloadType: 101 },
      audio: { rtp: audioIn.tuple.localPort, rtcp: audioIn.rtcpTuple!.localPort, ssrc: 11111111, payloadType: 100 },
    });
  }

  get workerPid(): number {
    return this.worker.pid;
  }

  get streams(): number {
    return this.consumerTransports.length;
  }

  /**
   * Adds `pairs` viewers, each consuming video and audio (2 forwarded streams per pair), sent to `sinkPort`;
   * with `srtp`, each viewer's transport encrypts what it sends (AEAD_AES_256_GCM, its own keys), as a
   * WebRTC viewer's does.
   */
  async addViewers(pairs: number, sinkPort: number, srtp = false): Promise<void> {
    for (let i = 0; i < pairs; i += 1) {
      for (const producer of this.producers) {
        const t = await this.router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false, ...(srtp ? { enableSrtp: true, srtpCryptoSuite: 'AEAD_AES_256_GCM' as const } : {}) });
        // The sink's keys only decrypt what it would send back (nothing): any 44-byte key/salt will do.
        await t.connect({ ip: '127.0.0.1', port: sinkPort, ...(srtp ? { srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM' as const, keyBase64: randomBytes(44).toString('base64') } } : {}) });
        await t.consume({ producerId: producer.id, rtpCapabilities: this.router.rtpCapabilities });
        this.consumerTransports.push(t);
      }
    }
  }

  /** RTP bytes the producers received so far (to check the sender is alive). */
  async inputBytes(): Promise<number> {
    let total = 0;
    for (const p of this.producers) for (const s of await p.getStats()) total += s.byteCount ?? 0;
    return total;
  }

  close(): void {
    this.worker.close();
  }
}
