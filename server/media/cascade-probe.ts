import mediasoup from 'mediasoup';
import type { types } from 'mediasoup';
import { ROUTER_MEDIA_CODECS } from './codecs';
import { connectedPipe, pipeEnd, pipeListenInfo } from './edge-host';
import type { ProbeInputs } from './forwarding-probe';

const LOOPBACK = { ip: '127.0.0.1', announcedAddress: '127.0.0.1' };

/**
 * Live-room cascading probe for bench/live-cascade.ts: a home worker whose router receives a VP8 and an opus
 * producer (fed over PlainTransports by ffmpeg) and an edge worker — standing for the second node — whose
 * router gets both over one SRTP pipe transport pair, made with the same helpers a cascaded room uses
 * (connectedPipe, pipeEnd). Viewers (a PlainTransport per stream, sending to a sink port) are added on the
 * home or on the edge, so the two workers' CPU can be read for viewers spread over two nodes.
 */
export class CascadeProbe {
  private readonly viewers = { home: 0, edge: 0 };

  private constructor(
    private readonly workers: { home: types.Worker; edge: types.Worker },
    private readonly routers: { home: types.Router; edge: types.Router },
    private readonly producers: { home: types.Producer[]; edge: types.Producer[] },
    readonly inputs: ProbeInputs,
    readonly srtpSuite: string | undefined,
  ) {}

  static async start(rtcMinPort = 40000, rtcMaxPort = 49999): Promise<CascadeProbe> {
    const home = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort, rtcMaxPort });
    const edge = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort, rtcMaxPort });
    const homeRouter = await home.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    const edgeRouter = await edge.createRouter({ mediaCodecs: ROUTER_MEDIA_CODECS });
    const input = () => homeRouter.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: false, comedia: true });
    const [videoIn, audioIn] = [await input(), await input()];
    const video = await videoIn.produce({ kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: 101, clockRate: 90000 }], encodings: [{ ssrc: 22222222 }] } });
    const audio = await audioIn.produce({ kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 } }], encodings: [{ ssrc: 11111111 }] } });
    // The pipe pair as EdgeLink and EdgeRoom make it: home creates its end, the edge connects to it, home back.
    const homePipe = await homeRouter.createPipeTransport({ listenInfo: pipeListenInfo(LOOPBACK), enableSrtp: true });
    const edgePipe = await connectedPipe(edgeRouter, LOOPBACK, pipeEnd(homePipe));
    const edgeEnd = pipeEnd(edgePipe);
    await homePipe.connect({ ip: edgeEnd.ip, port: edgeEnd.port, srtpParameters: edgeEnd.srtpParameters as types.SrtpParameters });
    const piped: types.Producer[] = [];
    for (const producer of [video, audio]) {
      const consumer = await homePipe.consume({ producerId: producer.id });
      piped.push(await edgePipe.produce({ id: producer.id, kind: consumer.kind, rtpParameters: consumer.rtpParameters, paused: consumer.producerPaused }));
    }
    return new CascadeProbe({ home, edge }, { home: homeRouter, edge: edgeRouter }, { home: [video, audio], edge: piped }, {
      video: { rtp: videoIn.tuple.localPort, rtcp: videoIn.rtcpTuple!.localPort, ssrc: 22222222, payloadType: 101 },
      audio: { rtp: audioIn.tuple.localPort, rtcp: audioIn.rtcpTuple!.localPort, ssrc: 11111111, payloadType: 100 },
    }, homePipe.srtpParameters?.cryptoSuite);
  }

  get pids(): { home: number; edge: number } {
    return { home: this.workers.home.pid, edge: this.workers.edge.pid };
  }

  get viewerCount(): { home: number; edge: number } {
    return { ...this.viewers };
  }

  /** Adds `count` viewers on `where`, each consuming video and audio, sent to `sinkPort`. */
  async addViewers(where: 'home' | 'edge', count: number, sinkPort: number): Promise<void> {
    const router = this.routers[where];
    for (let i = 0; i < count; i += 1) {
      for (const producer of this.producers[where]) {
        const t = await router.createPlainTransport({ listenInfo: { protocol: 'udp', ip: '127.0.0.1' }, rtcpMux: true, comedia: false });
        await t.connect({ ip: '127.0.0.1', port: sinkPort });
        await t.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities });
      }
      this.viewers[where] += 1;
    }
  }

  /** RTP bytes that reached the edge over the pipe (its piped producers' input). */
  async edgeInputBytes(): Promise<number> {
    let total = 0;
    for (const p of this.producers.edge) for (const s of await p.getStats()) total += s.byteCount ?? 0;
    return total;
  }

  close(): void {
    this.workers.home.close();
    this.workers.edge.close();
  }
}
