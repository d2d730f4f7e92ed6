// Ring latency (dial → incoming call rendered on the callee) and join latency (accept → first remote video
// frame decoded, via requestVideoFrameCallback; and dial → the caller's first frame of the callee), over real
// Chromium pages and the real server. Each page runs in its own headless browser so neither is a throttled
// background tab. In the same run, the floor: a bare mediasoup-client page (no widget) consuming the caller's
// camera producer — consume request → first decoded frame — the least any widget could do on this machine.
// Usage: node --import tsx bench/latency.ts [runs=25]
import { build } from 'esbuild';
import type { Page } from 'playwright-core';
import { PROTOCOL_VERSION } from '../protocol';
import { DEFAULT_LIMITS } from '../server/domain/apps';
import { newApp } from '../server/store/apps-file';
import { launchBrowser, newContext, openWidget, waitForState } from '../test/support/browser';
import { startServer } from '../test/support/server';
import { saveResult, summary } from './lib';

const RUNS = Number(process.argv[2] ?? 25);

// Installed in both pages (a string: tsx's helpers do not exist in the page).
const PROBE = `
  window.bench = {};
  window.now = () => performance.timeOrigin + performance.now();
  // The first frame presented by the remote video element; re-armed if a re-render replaces the element
  // before it shows a frame (a callback on a detached element never fires).
  window.watchFirstFrame = () => new Promise((resolve) => {
    let watched;
    let done = false;
    const poll = () => {
      if (done) return;
      const v = document.querySelector('call-widget').shadowRoot.querySelector('[part~="remote-video"]');
      if (v && v !== watched) {
        watched = v;
        v.requestVideoFrameCallback((now) => { done = true; resolve(performance.timeOrigin + now); });
      }
      setTimeout(poll, v ? 50 : 1);
    };
    poll();
  });
  window.autoAccept = () => {
    const w = document.querySelector('call-widget');
    w.addEventListener('call-incoming', async () => {
      await w.updateComplete;
      window.bench.ringShownAt = window.now();
      // A person answers after seeing the ring for a while (the widget prepares media meanwhile).
      await new Promise((r) => setTimeout(r, window.RING_DWELL_MS));
      window.bench.acceptAt = window.now();
      const frame = window.watchFirstFrame();
      w.accept({ video: true });
      window.bench.calleeFirstFrameAt = await frame;
    });
  };`;

/** How long the callee looks at the ring before accepting. */
const RING_DWELL_MS = 1000;

async function prepare(page: Page, callee: boolean): Promise<void> {
  await page.evaluate(PROBE);
  await page.evaluate(`window.RING_DWELL_MS = ${RING_DWELL_MS}`);
  if (callee) await page.evaluate('window.autoAccept()');
}

// Many calls a minute between the same two users: above the default ring limits (10 rings per callee a minute).
const app = newApp('Latency bench', { demo: true, origins: ['*'] });
app.environments.development!.limits = { ...DEFAULT_LIMITS, ringsPerCallerPerMinute: 10_000, ringsPerCalleePerMinute: 10_000 };
const server = await startServer({ apps: [app] });
const [browserA, browserB] = [await launchBrowser(), await launchBrowser()];
const a = await openWidget(await newContext(browserA), server.url, await server.token('caller', { app }), { 'video-resolution': '360p' });
const b = await openWidget(await newContext(browserB), server.url, await server.token('callee', { app }), { 'video-resolution': '360p' });
await prepare(a, false);
await prepare(b, true);

const ring: number[] = [];
const join: number[] = [];
const dialToFrame: number[] = [];
for (let run = 0; run < RUNS + 1; run += 1) {
  const dialAt = (await a.evaluate(`(async () => {
    const w = document.querySelector('call-widget');
    const frame = window.watchFirstFrame();
    const at = window.now();
    w.dial('callee', { video: true });
    window.bench.callerFirstFrameAt = await frame;
    return at;
  })()`)) as number;
  await b.waitForFunction('window.bench.calleeFirstFrameAt !== undefined', undefined, { timeout: 20_000 });
  await a.waitForFunction('window.bench.callerFirstFrameAt !== undefined', undefined, { timeout: 20_000 });
  const bb = (await b.evaluate('window.bench')) as { ringShownAt: number; acceptAt: number; calleeFirstFrameAt: number };
  const ab = (await a.evaluate('window.bench')) as { callerFirstFrameAt: number };
  // Run 0 warms up (loads the media chunk, JIT): not counted.
  if (run > 0) {
    ring.push(bb.ringShownAt - dialAt);
    join.push(bb.calleeFirstFrameAt - bb.acceptAt);
    dialToFrame.push(ab.callerFirstFrameAt - dialAt);
  }
  console.log(`[latency] call run ${run}: ring ${(bb.ringShownAt - dialAt).toFixed(1)} ms, accept → frame ${(bb.calleeFirstFrameAt - bb.acceptAt).toFixed(1)} ms`);
  await a.evaluate(`document.querySelector('call-widget').hangup()`);
  await Promise.all([waitForState(a, 'ended'), waitForState(b, 'ended')]);
  for (const p of [a, b]) await p.evaluate(`document.querySelector('call-widget').dismiss?.(); window.bench = {}`);
  await Promise.all([a, b].map((p) => p.evaluate(`(() => { const w = document.querySelector('call-widget'); w.shadowRoot.querySelector('[part~="dismiss"]')?.click(); })()`)));
  await Promise.all([waitForState(a, 'idle'), waitForState(b, 'idle')]);
}

// The floor: the caller's widget publishes in a conference; a bare mediasoup-client page in the callee's browser
// (the callee's widget page closed first) joins it over the signaling protocol and, each run, creates a fresh
// recv transport and consumes the camera: consume request → first frame (its DTLS handshake included, as the
// widget's first consume includes it).
const MEDIASOUP_CLIENT = (await build({ stdin: { contents: "export * from 'mediasoup-client';", resolveDir: import.meta.dirname, loader: 'js' }, bundle: true, format: 'iife', globalName: 'msc', platform: 'browser', minify: true, write: false, logLevel: 'error' })).outputFiles[0]!.text;
const FLOOR = `
  window.floorOpen = async (url, token, protocol) => {
    const ws = new WebSocket(url);
    const waiters = new Map();
    let n = 0;
    const welcome = new Promise((resolve, reject) => {
      ws.onmessage = (e) => {
        const m = JSON.parse(e.data);
        if (m.type === 'welcome') return resolve(m);
        if (m.requestId && waiters.has(m.requestId)) { waiters.get(m.requestId)(m); waiters.delete(m.requestId); }
        else if (m.type === 'error' && !m.requestId) reject(new Error(m.message));
      };
    });
    await new Promise((r) => (ws.onopen = r));
    ws.send(JSON.stringify({ type: 'hello', protocol, token }));
    await welcome;
    window.req = (type, payload = {}) => new Promise((resolve, reject) => {
      const requestId = 'f' + ++n;
      waiters.set(requestId, (m) => (m.type === 'error' ? reject(new Error(m.code + ': ' + m.message)) : resolve(m.data)));
      ws.send(JSON.stringify({ type, requestId, ...payload }));
    });
  };
  window.floorRun = async (roomId) => {
    const joined = await req('room.join', { roomId, kind: 'conference', video: false });
    const camera = joined.producers.find((p) => p.source === 'camera');
    const device = new msc.Device();
    await device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    await req('media.setRtpCapabilities', { rtpCapabilities: device.rtpCapabilities });
    const options = await req('media.createTransport', { direction: 'recv' });
    const transport = device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, ok, fail) => req('media.connectTransport', { transportId: options.id, dtlsParameters }).then(ok, fail));
    const video = document.createElement('video');
    video.muted = true;
    video.autoplay = true;
    document.body.append(video);
    const start = performance.timeOrigin + performance.now();
    const c = await req('media.consume', { producerId: camera.producerId });
    const consumer = await transport.consume({ id: c.id, producerId: c.producerId, kind: c.kind, rtpParameters: c.rtpParameters });
    video.srcObject = new MediaStream([consumer.track]);
    const frame = new Promise((resolve, reject) => {
      video.requestVideoFrameCallback((now) => resolve(performance.timeOrigin + now));
      setTimeout(() => reject(new Error('no frame within 10 s')), 10000);
    });
    void video.play();
    await req('media.resumeConsumer', { consumerId: c.id });
    const at = await frame;
    if (window.FLOOR_GAP) await new Promise((r) => setTimeout(r, window.FLOOR_GAP));
    transport.close();
    video.remove();
    await req('room.leave');
    return at - start;
  };`;
await b.close();
await a.evaluate(`document.querySelector('call-widget').join('floor', { video: true })`);
await waitForState(a, 'in-call');
const floorPage = await (await newContext(browserB)).newPage();
await floorPage.goto(`${server.url}/e2e`);
await floorPage.addScriptTag({ content: MEDIASOUP_CLIENT });
await floorPage.evaluate(FLOOR);
// Consumes back to back get their key frame late (the sender spaces key frames ~1 s apart): a pause between runs, as between calls.
await floorPage.evaluate(`window.FLOOR_GAP = 1500`);
await floorPage.evaluate(([url, token, protocol]) => (window as unknown as { floorOpen(u: string, t: string, p: number): Promise<void> }).floorOpen(url!, token!, Number(protocol)), [`${server.url.replace(/^http/, 'ws')}/v1/signal`, await server.token('floor', { app }), String(PROTOCOL_VERSION)]);
const floor: number[] = [];
for (let run = 0; run < RUNS + 1; run += 1) {
  const ms = (await floorPage.evaluate(`window.floorRun('floor')`)) as number;
  if (run > 0) floor.push(ms);
  console.log(`[latency] floor run ${run}: ${ms.toFixed(1)} ms`);
}
const floorSummary = summary(floor);
const joinSummary = summary(join);

saveResult('latency', {
  method: `${RUNS} calls (plus 1 warm-up) between two headless Chromium instances on loopback, 360p fake camera; the callee accepts ${RING_DWELL_MS} ms after the ring is shown (join = accept → first frame); same pages reused (media chunk cached after the first call); timestamps from performance.timeOrigin + now() in each page. Floor, same run: ${RUNS} (+1 warm-up) consumes of the caller's camera (published by its widget in a conference) by a bare mediasoup-client page in the callee's browser (fresh recv transport each run, 1.5 s apart), consume request → first frame`,
  summary: {
    ringMs: summary(ring),
    acceptToFirstFrameMs: joinSummary,
    dialToCallerFirstFrameMs: summary(dialToFrame),
    floorConsumeToFirstFrameMs: floorSummary,
    // Goal: median ≤ 1.3× the floor's median, p95 ≤ 2× (reported against the floor's median and its p95).
    joinOverFloor: {
      median: Math.round((joinSummary.median / floorSummary.median) * 100) / 100,
      p95OverFloorMedian: Math.round((joinSummary.p95 / floorSummary.median) * 100) / 100,
      p95OverFloorP95: Math.round((joinSummary.p95 / floorSummary.p95) * 100) / 100,
    },
  },
  samples: { ring, join, dialToFrame, floor },
});
await browserA.close();
await browserB.close();
await server.close();
