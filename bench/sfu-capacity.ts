// SFU forwarding capacity: ffmpeg sends VP8 (640x360, 30 fps, ~500 kbps) + opus into one mediasoup worker over
// PlainTransports; viewers are added in steps (each consumes both: 2 forwarded streams), all sent to a UDP sink.
// The worker's CPU (from /proc) is sampled at each step. Reports forwarded streams per worker core below 80 %.
// Needs ffmpeg (Debian: apt-get install -y ffmpeg). Usage: node --import tsx bench/sfu-capacity.ts [maxStreams=1600]
import { spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { ForwardingProbe } from '../server/media/forwarding-probe';
import { saveResult } from './lib';

const MAX_STREAMS = Number(process.argv[2] ?? 1600);
const STEP_PAIRS = 50;
const SAMPLE_MS = 4000;
const TICKS = 100; // USER_HZ on Linux

if (spawnSync('ffmpeg', ['-version']).status !== 0) {
  console.error('ffmpeg is missing: sudo apt-get install -y ffmpeg');
  process.exit(1);
}

const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};
async function cpuPercent(pid: number, ms: number): Promise<number> {
  const t0 = cpuTicks(pid);
  const s0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  return ((cpuTicks(pid) - t0) / TICKS / ((performance.now() - s0) / 1000)) * 100;
}

let sinkPackets = 0;
const sink = createSocket('udp4');
sink.on('message', () => (sinkPackets += 1));
await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
const sinkPort = sink.address().port;

const probe = await ForwardingProbe.start();
const { video, audio } = probe.inputs;
const ffmpeg = spawn('ffmpeg', [
  '-loglevel', 'error', '-re',
  '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30',
  '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
  '-map', '0:v:0', '-c:v', 'libvpx', '-b:v', '500k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '60',
  '-ssrc', String(video.ssrc), '-payload_type', String(video.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${video.rtp}?rtcpport=${video.rtcp}&pkt_size=1200`,
  '-map', '1:a:0', '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '64k',
  '-ssrc', String(audio.ssrc), '-payload_type', String(audio.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${audio.rtp}?rtcpport=${audio.rtcp}&pkt_size=1200`,
], { stdio: ['ignore', 'ignore', 'inherit'] });

await new Promise((r) => setTimeout(r, 2000));
if ((await probe.inputBytes()) === 0) {
  console.error('no RTP arrived from ffmpeg');
  process.exit(1);
}

const steps: { streams: number; workerCpuPercent: number; sinkPacketsPerSecond: number }[] = [];
let stoppedBy: string | undefined;
while (probe.streams < MAX_STREAMS) {
  try {
    await probe.addViewers(STEP_PAIRS, sinkPort);
  } catch (error) {
    // A saturated worker stops answering its control channel in time: that is the capacity limit too.
    stoppedBy = `adding viewers past ${probe.streams} streams failed: ${(error as Error).message}`;
    console.log(`[sfu] ${stoppedBy}`);
    break;
  }
  await new Promise((r) => setTimeout(r, 500));
  const before = sinkPackets;
  const cpu = await cpuPercent(probe.workerPid, SAMPLE_MS);
  const pps = ((sinkPackets - before) / SAMPLE_MS) * 1000;
  steps.push({ streams: probe.streams, workerCpuPercent: Math.round(cpu * 10) / 10, sinkPacketsPerSecond: Math.round(pps) });
  console.log(`[sfu] ${probe.streams} streams: worker ${cpu.toFixed(1)} % of a core, ${Math.round(pps)} packets/s out`);
  if (cpu >= 80) break;
}
ffmpeg.kill('SIGTERM');
probe.close();
sink.close();

const below = steps.filter((s) => s.workerCpuPercent < 80);
const last = steps.at(-1)!;
const perStream = last.workerCpuPercent / last.streams;
saveResult('sfu-capacity', {
  method: `1 mediasoup ${'3.8.4'} worker; ffmpeg (libvpx realtime) sends VP8 640x360@30 ~500 kbps + opus 64 kbps over PlainTransports; viewers added ${STEP_PAIRS} at a time, each a PlainTransport pair consuming video + audio, forwarding to one UDP sink; worker CPU from /proc/<pid>/stat over ${SAMPLE_MS / 1000} s per step. ffmpeg and the sink share the same 2 cores.`,
  summary: {
    maxStreamsBelow80PercentCpu: below.at(-1)?.streams ?? 0,
    cpuPercentPerStream: Math.round(perStream * 1000) / 1000,
    extrapolatedStreamsAt80Percent: Math.round(80 / perStream),
    reachedStepLimit: last.workerCpuPercent < 80 && stoppedBy === undefined,
    ...(stoppedBy ? { stoppedBy } : {}),
  },
  steps,
});
process.exit(0);
