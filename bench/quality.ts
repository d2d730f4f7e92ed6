// Call quality: a 4-party call (q1 dials the other three, they accept) for 60 s (360p, each party in its own headless Chromium so no page is a
// throttled background tab). Per receiver and sender: video freeze rate = time in gaps ≥ 500 ms between
// rendered frames (requestVideoFrameCallback) / total time; audio packet loss and jitter from getStats.
// Usage: node --import tsx bench/quality.ts [seconds=60]
import type { Browser, Page } from 'playwright-core';
import { launchBrowser, newContext, openWidget, stats, waitForState, waitForVideoFrom } from '../test/support/browser';
import { startServer } from '../test/support/server';
import { saveResult, summary } from './lib';

const SECONDS = Number(process.argv[2] ?? 60);
const USERS = ['q1', 'q2', 'q3', 'q4'];

const RECORDER = `
  window.frames = {};
  window.record = () => {
    const root = document.querySelector('call-widget').shadowRoot;
    for (const tile of root.querySelectorAll('[part~="tile"][data-source="camera"]')) {
      const user = tile.dataset.userId;
      const video = tile.querySelector('video');
      const times = (window.frames[user] = []);
      const onFrame = (now) => { times.push(now); video.requestVideoFrameCallback(onFrame); };
      video.requestVideoFrameCallback(onFrame);
    }
  };`;

const server = await startServer();
const browsers: Browser[] = [];
const pages: Page[] = [];
for (const id of USERS) {
  const browser = await launchBrowser();
  browsers.push(browser);
  pages.push(await openWidget(await newContext(browser), server.url, await server.token(id), { 'video-resolution': '360p' }));
}
await pages[0]!.evaluate((others) => document.querySelector('call-widget')!.dial(others, { video: true }), USERS.slice(1));
for (const page of pages.slice(1)) {
  await waitForState(page, 'incoming');
  await page.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
}
for (const [i, page] of pages.entries()) {
  await waitForState(page, 'in-call');
  for (const other of USERS) if (other !== USERS[i]) await waitForVideoFrom(page, other, 10, 30_000);
}
for (const page of pages) await page.evaluate(RECORDER + ';window.record()');
const startStats = await Promise.all(pages.map((p) => stats(p)));
await new Promise((r) => setTimeout(r, SECONDS * 1000));
const endStats = await Promise.all(pages.map((p) => stats(p)));
const frames = (await Promise.all(pages.map((p) => p.evaluate('window.frames')))) as Record<string, number[]>[];

const freezeRates: number[] = [];
const losses: number[] = [];
const jitters: number[] = [];
const perPair: Record<string, unknown>[] = [];
for (const [i, receiver] of USERS.entries()) {
  for (const sender of USERS) {
    if (sender === receiver) continue;
    const t = frames[i]![sender] ?? [];
    let frozen = 0;
    for (let k = 1; k < t.length; k += 1) if (t[k]! - t[k - 1]! >= 500) frozen += t[k]! - t[k - 1]!;
    const total = SECONDS * 1000;
    const freezeRate = (frozen / total) * 100;
    const a0 = startStats[i]!.audio[sender];
    const a1 = endStats[i]!.audio[sender];
    const received = (a1?.packetsReceived ?? 0) - (a0?.packetsReceived ?? 0);
    const lost = (a1?.packetsLost ?? 0) - (a0?.packetsLost ?? 0);
    const loss = received + lost > 0 ? (lost / (received + lost)) * 100 : 0;
    freezeRates.push(freezeRate);
    losses.push(loss);
    jitters.push(a1?.jitterMs ?? 0);
    perPair.push({ receiver, sender, framesRendered: t.length, frozenMs: Math.round(frozen), freezeRatePercent: Math.round(freezeRate * 100) / 100, audioLossPercent: Math.round(loss * 100) / 100, audioJitterMs: a1?.jitterMs, chromeFreezeCount: (endStats[i]!.video[sender]?.freezeCount ?? 0) - (startStats[i]!.video[sender]?.freezeCount ?? 0) });
  }
}
saveResult('quality', {
  method: `a 4-party call (one dial to three callees), each party in its own headless Chromium (fake 360p camera, 2 simulcast layers) on loopback, ${SECONDS} s after every party decodes every other; freeze = gap ≥ 500 ms between rendered frames (requestVideoFrameCallback); audio loss/jitter from inbound-rtp`,
  summary: { freezeRatePercent: summary(freezeRates), audioLossPercent: summary(losses), audioJitterMs: summary(jitters) },
  perPair,
});
for (const b of browsers) await b.close();
await server.close();
