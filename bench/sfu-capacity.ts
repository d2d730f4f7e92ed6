// SFU forwarding capacity: ffmpeg sends VP8 (640x360, 30 fps, ~500 kbps) + opus into one mediasoup worker over
// PlainTransports; viewers are added in steps (each consumes both: 2 forwarded streams), all sent to a UDP sink.
// The worker's CPU (from /proc) is sampled at each step. Measured twice: plain RTP out, then SRTP out
// (AEAD_AES_256_GCM per viewer transport, the encryption a WebRTC viewer costs). Reports forwarded streams per
// worker core below 80 %. Needs ffmpeg (Debian: apt-get install -y ffmpeg).
// Usage: node --import tsx bench/sfu-capacity.ts [maxStreams=1600]
import { ForwardingProbe } from '../server/media/forwarding-probe';
import { cpuPercents, packetSink, saveResult, startRtpFeed } from './lib';

const MAX_STREAMS = Number(process.argv[2] ?? 1600);
const STEP_PAIRS = 50;
const SAMPLE_MS = 4000;

type Step = { streams: number; workerCpuPercent: number; sinkPacketsPerSecond: number };

async function measure(srtp: boolean): Promise<{ summary: Record<string, unknown>; steps: Step[] }> {
  const sink = await packetSink();
  const probe = await ForwardingProbe.start();
  const ffmpeg = startRtpFeed(probe.inputs);
  await new Promise((r) => setTimeout(r, 2000));
  if ((await probe.inputBytes()) === 0) {
    console.error('no RTP arrived from ffmpeg');
    process.exit(1);
  }
  const steps: Step[] = [];
  let stoppedBy: string | undefined;
  while (probe.streams < MAX_STREAMS) {
    try {
      await probe.addViewers(STEP_PAIRS, sink.port, srtp);
    } catch (error) {
      // A saturated worker stops answering its control channel in time: that is the capacity limit too.
      stoppedBy = `adding viewers past ${probe.streams} streams failed: ${(error as Error).message}`;
      console.log(`[sfu] ${stoppedBy}`);
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = sink.packets();
    const [cpu = 0] = await cpuPercents([probe.workerPid], SAMPLE_MS);
    const pps = ((sink.packets() - before) / SAMPLE_MS) * 1000;
    steps.push({ streams: probe.streams, workerCpuPercent: cpu, sinkPacketsPerSecond: Math.round(pps) });
    console.log(`[sfu${srtp ? ' srtp' : ''}] ${probe.streams} streams: worker ${cpu.toFixed(1)} % of a core, ${Math.round(pps)} packets/s out`);
    if (cpu >= 80) break;
  }
  ffmpeg.kill('SIGTERM');
  probe.close();
  sink.close();
  const below = steps.filter((s) => s.workerCpuPercent < 80);
  const last = steps.at(-1)!;
  const perStream = last.workerCpuPercent / last.streams;
  return {
    summary: {
      maxStreamsBelow80PercentCpu: below.at(-1)?.streams ?? 0,
      cpuPercentPerStream: Math.round(perStream * 1000) / 1000,
      extrapolatedStreamsAt80Percent: Math.round(80 / perStream),
      reachedStepLimit: last.workerCpuPercent < 80 && stoppedBy === undefined,
      ...(stoppedBy ? { stoppedBy } : {}),
    },
    steps,
  };
}

const plain = await measure(false);
const srtp = await measure(true);
saveResult('sfu-capacity', {
  method: `1 mediasoup worker; ffmpeg (libvpx realtime) sends VP8 640x360@30 ~500 kbps + opus 64 kbps over PlainTransports; viewers added ${STEP_PAIRS} at a time, each a PlainTransport pair consuming video + audio, forwarding to one UDP sink (16 MiB receive buffer); worker CPU from /proc/<pid>/stat over ${SAMPLE_MS / 1000} s per step; run once with plain RTP out, then with SRTP out (each viewer transport enableSrtp, AEAD_AES_256_GCM). ffmpeg and the sink share the same 2 cores.`,
  summary: plain.summary,
  steps: plain.steps,
  srtp,
});
process.exit(0);
