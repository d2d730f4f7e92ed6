import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

export const RESULTS_DIR = join(import.meta.dirname, 'results');

export function median(values: number[]): number {
  return percentile(values, 50);
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo);
}

export function summary(values: number[]): { runs: number; median: number; p95: number; min: number; max: number } {
  const r = (x: number) => Math.round(x * 10) / 10;
  return { runs: values.length, median: r(median(values)), p95: r(percentile(values, 95)), min: r(Math.min(...values)), max: r(Math.max(...values)) };
}

function chromiumVersion(): string {
  const r = spawnSync(process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'chromium (version unknown)';
}

export function machine(): Record<string, string | number> {
  const manifest = (dir: string) => JSON.parse(readFileSync(join(import.meta.dirname, '..', dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
  // Versions as installed: the workspaces declare ranges (widget) or pins (server); the lockfile decides.
  const installed = (name: string) => (JSON.parse(readFileSync(join(import.meta.dirname, '..', 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
  const pkg = { dependencies: { ...manifest('server').dependencies, mediasoup: installed('mediasoup'), 'mediasoup-client': installed('mediasoup-client'), lit: installed('lit') } as Record<string, string>, devDependencies: manifest('.').devDependencies ?? {} };
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    mediasoup: pkg.dependencies.mediasoup ?? '',
    'mediasoup-client': pkg.dependencies['mediasoup-client'] ?? '',
    lit: pkg.dependencies.lit ?? '',
    chromium: chromiumVersion(),
  };
}

/** Writes bench/results/<name>.json (BENCHMARKS.md is generated from these by bench/report.ts). */
export function saveResult(name: string, result: Record<string, unknown>): void {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(join(RESULTS_DIR, `${name}.json`), `${JSON.stringify({ machine: machine(), ...result }, null, 2)}\n`);
  console.log(`[bench] ${name}: ${JSON.stringify(result.summary ?? result, null, 0).slice(0, 400)}`);
}

const TICKS = 100; // USER_HZ on Linux
const cpuTicks = (pid: number) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
};

/** CPU (% of one core) each process used over the next `ms`. */
export async function cpuPercents(pids: number[], ms: number): Promise<number[]> {
  const t0 = pids.map(cpuTicks);
  const s0 = performance.now();
  await new Promise((r) => setTimeout(r, ms));
  const seconds = (performance.now() - s0) / 1000;
  return pids.map((pid, i) => Math.round(((cpuTicks(pid) - t0[i]!) / TICKS / seconds) * 1000) / 10);
}

/** ffmpeg sending VP8 640x360@30 (~500 kbps) and opus to an RTP probe's inputs; exits the bench if ffmpeg is missing. */
export function startRtpFeed(inputs: { video: { rtp: number; rtcp: number; ssrc: number; payloadType: number }; audio: { rtp: number; rtcp: number; ssrc: number; payloadType: number } }): ChildProcess {
  if (spawnSync('ffmpeg', ['-version']).status !== 0) {
    console.error('ffmpeg is missing: sudo apt-get install -y ffmpeg');
    process.exit(1);
  }
  const { video, audio } = inputs;
  return spawn('ffmpeg', [
    '-loglevel', 'error', '-re',
    '-f', 'lavfi', '-i', 'testsrc=size=640x360:rate=30',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-map', '0:v:0', '-c:v', 'libvpx', '-b:v', '500k', '-deadline', 'realtime', '-cpu-used', '8', '-g', '60',
    '-ssrc', String(video.ssrc), '-payload_type', String(video.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${video.rtp}?rtcpport=${video.rtcp}&pkt_size=1200`,
    '-map', '1:a:0', '-c:a', 'libopus', '-ac', '2', '-ar', '48000', '-b:a', '64k',
    '-ssrc', String(audio.ssrc), '-payload_type', String(audio.payloadType), '-f', 'rtp', `rtp://127.0.0.1:${audio.rtp}?rtcpport=${audio.rtcp}&pkt_size=1200`,
  ], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** A UDP sink on loopback counting the packets it receives. */
export async function packetSink(): Promise<{ port: number; packets(): number; close(): void }> {
  let packets = 0;
  const sink = createSocket('udp4');
  sink.on('message', () => (packets += 1));
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', () => r()));
  // Bursts (one frame to every viewer at once) must not overflow the default ~200 KB receive buffer.
  sink.setRecvBufferSize(16 * 1024 * 1024);
  return { port: sink.address().port, packets: () => packets, close: () => sink.close() };
}
