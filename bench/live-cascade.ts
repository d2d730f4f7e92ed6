// A live room's viewers across two nodes: ffmpeg sends VP8 (640x360, 30 fps, ~500 kbps) + opus into the home
// worker; an edge worker (the second node's) receives both once over an SRTP pipe transport pair, as a
// cascaded room does. Viewers are added in steps, half on each (a PlainTransport per stream to a UDP sink);
// each step samples both workers' CPU and the packets that reach the sink, against a run with every viewer
// on the home alone. Needs ffmpeg. Usage: node --import tsx bench/live-cascade.ts [maxViewers=400]
import { CascadeProbe } from '../server/media/cascade-probe';
import { cpuPercents, packetSink, saveResult, startRtpFeed } from './lib';

const MAX_VIEWERS = Number(process.argv[2] ?? 400);
const STEP = 50;
const SAMPLE_MS = 4000;

type Step = { viewers: number; homeViewers: number; edgeViewers: number; homeCpuPercent: number; edgeCpuPercent: number; packetsPerViewerPerSecond: number; homePacketsPerViewerPerSecond: number; edgePacketsPerViewerPerSecond?: number };

async function run(split: boolean): Promise<{ steps: Step[]; srtp: string | undefined; stoppedBy?: string }> {
  // One sink per side: what reaches the home's viewers and the edge's is counted apart.
  const sinks = { home: await packetSink(), edge: await packetSink() };
  const probe = await CascadeProbe.start();
  const ffmpeg = startRtpFeed(probe.inputs);
  await new Promise((r) => setTimeout(r, 2000));
  if (split && (await probe.edgeInputBytes()) === 0) {
    console.error('no RTP reached the edge over the pipe');
    process.exit(1);
  }
  const steps: Step[] = [];
  let stoppedBy: string | undefined;
  while (probe.viewerCount.home + probe.viewerCount.edge < MAX_VIEWERS) {
    try {
      if (split) {
        await probe.addViewers('home', STEP / 2, sinks.home.port);
        await probe.addViewers('edge', STEP / 2, sinks.edge.port);
      } else {
        await probe.addViewers('home', STEP, sinks.home.port);
      }
    } catch (error) {
      stoppedBy = `adding viewers failed: ${(error as Error).message}`;
      break;
    }
    await new Promise((r) => setTimeout(r, 500));
    const before = { home: sinks.home.packets(), edge: sinks.edge.packets() };
    const [home = 0, edge = 0] = await cpuPercents([probe.pids.home, probe.pids.edge], SAMPLE_MS);
    const rate = (side: 'home' | 'edge', viewers: number) => Math.round(((sinks[side].packets() - before[side]) / SAMPLE_MS) * 1000 / Math.max(1, viewers));
    const { home: homeViewers, edge: edgeViewers } = probe.viewerCount;
    const viewers = homeViewers + edgeViewers;
    const homeRate = rate('home', homeViewers);
    const edgeRate = split ? rate('edge', edgeViewers) : undefined;
    const perViewer = Math.round((homeRate * homeViewers + (edgeRate ?? 0) * edgeViewers) / viewers);
    steps.push({ viewers, homeViewers, edgeViewers, homeCpuPercent: home, edgeCpuPercent: edge, packetsPerViewerPerSecond: perViewer, homePacketsPerViewerPerSecond: homeRate, ...(edgeRate !== undefined ? { edgePacketsPerViewerPerSecond: edgeRate } : {}) });
    console.log(`[cascade${split ? '' : ' off'}] ${viewers} viewers (${homeViewers} home, ${edgeViewers} edge): home ${home} %, edge ${edge} % of a core; packets/s per viewer: home ${homeRate}${edgeRate !== undefined ? `, edge ${edgeRate}` : ''}`);
    if (home >= 80 || edge >= 80) break;
  }
  const srtp = probe.srtpSuite;
  ffmpeg.kill('SIGTERM');
  probe.close();
  sinks.home.close();
  sinks.edge.close();
  return { steps, srtp, ...(stoppedBy ? { stoppedBy } : {}) };
}

const alone = await run(false);
const cascaded = await run(true);
const last = cascaded.steps.at(-1)!;
const lastAlone = alone.steps.find((s) => s.viewers === last.viewers) ?? alone.steps.at(-1)!;
saveResult('live-cascade', {
  method: `two mediasoup workers in one process on loopback standing for two nodes (the media plane only: no signaling, no Redis); ffmpeg (libvpx realtime) sends VP8 640x360@30 ~500 kbps + opus 64 kbps into the home router; the edge router gets both over one pipe transport pair with SRTP (${cascaded.srtp ?? 'none'}); viewers added ${STEP} at a time, each a PlainTransport per stream (video + audio), half on each worker, the home's and the edge's to a UDP sink each (16 MiB receive buffer); CPU from /proc/<pid>/stat over ${SAMPLE_MS / 1000} s per step; the same steps with every viewer on the home worker for comparison. ffmpeg and the sink share the machine's 2 cores.`,
  summary: {
    viewers: last.viewers,
    srtp: cascaded.srtp,
    cascaded: { homeCpuPercent: last.homeCpuPercent, edgeCpuPercent: last.edgeCpuPercent, packetsPerViewerPerSecond: last.packetsPerViewerPerSecond, homePacketsPerViewerPerSecond: last.homePacketsPerViewerPerSecond, edgePacketsPerViewerPerSecond: last.edgePacketsPerViewerPerSecond },
    homeAlone: { viewers: lastAlone.viewers, homeCpuPercent: lastAlone.homeCpuPercent, packetsPerViewerPerSecond: lastAlone.packetsPerViewerPerSecond },
    ...(cascaded.stoppedBy ? { stoppedBy: cascaded.stoppedBy } : {}),
  },
  steps: { cascaded: cascaded.steps, homeAlone: alone.steps },
});
process.exit(0);
