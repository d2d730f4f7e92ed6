// Ring latency (dial → incoming call rendered on the callee) and join latency (accept → first remote video
// frame decoded, via requestVideoFrameCallback; and dial → the caller's first frame of the callee), over real
// Chromium pages and the real server. Each page runs in its own headless browser so neither is a throttled
// background tab. Usage: node --import tsx bench/latency.ts [runs=25]
import type { Page } from 'playwright-core';
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
      window.bench.acceptAt = window.now();
      const frame = window.watchFirstFrame();
      w.accept({ video: true });
      window.bench.calleeFirstFrameAt = await frame;
    });
  };`;

async function prepare(page: Page, callee: boolean): Promise<void> {
  await page.evaluate(PROBE);
  if (callee) await page.evaluate('window.autoAccept()');
}

const server = await startServer();
const [browserA, browserB] = [await launchBrowser(), await launchBrowser()];
const a = await openWidget(await newContext(browserA), server.url, await server.token('caller'), { 'video-resolution': '360p' });
const b = await openWidget(await newContext(browserB), server.url, await server.token('callee'), { 'video-resolution': '360p' });
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
  await a.evaluate(`document.querySelector('call-widget').hangup()`);
  await Promise.all([waitForState(a, 'ended'), waitForState(b, 'ended')]);
  for (const p of [a, b]) await p.evaluate(`document.querySelector('call-widget').dismiss?.(); window.bench = {}`);
  await Promise.all([a, b].map((p) => p.evaluate(`(() => { const w = document.querySelector('call-widget'); w.shadowRoot.querySelector('[part~="dismiss"]')?.click(); })()`)));
  await Promise.all([waitForState(a, 'idle'), waitForState(b, 'idle')]);
}

saveResult('latency', {
  method: `${RUNS} calls (plus 1 warm-up) between two headless Chromium instances on loopback, 360p fake camera; same pages reused (media chunk cached after the first call); timestamps from performance.timeOrigin + now() in each page`,
  summary: { ringMs: summary(ring), acceptToFirstFrameMs: summary(join), dialToCallerFirstFrameMs: summary(dialToFrame) },
  samples: { ring, join, dialToFrame },
});
await browserA.close();
await browserB.close();
await server.close();
