// Calls across a cluster in real Chromium: three server nodes on one real redis-server, each page connected to
// a different node. Signaling is relayed to the node holding the call or room; media flows between each
// browser and that node directly (its ICE candidates), so every side decodes the others.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApp } from '../../server/store/apps-file';
import { launchBrowser, newContext, openWidget, stats, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { useCluster } from '../support/cluster';
import { until } from '../support/until';

const SMALL = { 'video-resolution': '360p', 'muted-tones': '' };
const app = newApp('Cluster e2e', { demo: true, origins: ['*'] });

describe('calls across three nodes', () => {
  const cluster = useCluster(['e1', 'e2', 'e3'], { apps: [app], ringTimeoutMs: 10_000 });
  const { nodes } = cluster;
  let browser: Browser;
  let ctx: BrowserContext;
  const tenantKey = () => nodes[0]!.app.services.apps.tenant(app.environments.development!.appKey)!.key;
  /** A widget for `id` on a page served by, and connected to, node `i`. */
  async function user(i: number, id: string): Promise<Page> {
    return openWidget(ctx, nodes[i]!.url, await nodes[i]!.token(id), SMALL);
  }

  before(async () => {
    browser = await launchBrowser();
    ctx = await newContext(browser);
  });
  after(async () => {
    await browser?.close();
  });

  test('1:1 video call: caller on node 1, callee on node 2 — ring, answer, video both ways, hang-up on both', async () => {
    const a = await user(0, 'ada');
    const b = await user(1, 'bob');
    await a.evaluate(() => document.querySelector('call-widget')!.dial('bob', { video: true }));
    await waitForState(b, 'incoming');
    const ring = await waitForEvent(b, 'call-incoming');
    assert.equal((ring.detail.caller as { userId: string }).userId, 'ada');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    await Promise.all([waitForVideoFrom(a, 'bob', 10, 20_000), waitForVideoFrom(b, 'ada', 10, 20_000)]);
    const callId = ring.detail.callId as string;
    assert.ok(nodes[0]!.app.services.rooms.get(tenantKey(), callId), 'the call lives on the node it was dialed on');
    assert.equal(nodes[1]!.app.services.rooms.size, 0, 'the callee’s node only relays');
    await b.evaluate(() => document.querySelector('call-widget')!.hangup());
    const [ea, eb] = await Promise.all([waitForEvent(a, 'call-ended'), waitForEvent(b, 'call-ended')]);
    assert.equal(ea.detail.reason, 'hangup');
    assert.equal(eb.detail.reason, 'hangup');
    assert.equal(ea.detail.sessionId, eb.detail.sessionId);
    for (const p of [a, b]) await p.close();
  });

  test('a conference joined from three nodes is one room: everyone decodes both others', async () => {
    const pages = [await user(0, 'cy'), await user(1, 'di'), await user(2, 'ed')];
    for (const p of pages) await p.evaluate(() => document.querySelector('call-widget')!.join('standup', { video: true }));
    for (const p of pages) await waitForState(p, 'in-call');
    const everyone: [Page, string][] = [[pages[0]!, 'cy'], [pages[1]!, 'di'], [pages[2]!, 'ed']];
    for (const [page, me] of everyone) {
      for (const [, other] of everyone) if (other !== me) await waitForVideoFrom(page, other, 10, 20_000);
    }
    assert.equal(nodes.filter((node) => node.app.services.rooms.get(tenantKey(), 'standup')).length, 1, 'one node holds the room');
    for (const p of pages) await p.evaluate(() => document.querySelector('call-widget')!.leave());
  });

  test('Redis outage: a call across nodes keeps decoding video; a new call meets cluster_unavailable until Redis is back', async () => {
    const a = await user(0, 'fay');
    const b = await user(1, 'gus');
    await a.evaluate(() => document.querySelector('call-widget')!.dial('gus', { video: true }));
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForVideoFrom(a, 'gus', 10, 20_000), waitForVideoFrom(b, 'fay', 10, 20_000)]);
    await cluster.redis.stop();
    const before = [(await stats(a)).framesDecoded.gus ?? 0, (await stats(b)).framesDecoded.fay ?? 0];
    await a.waitForTimeout(3000);
    const afterOutage = [(await stats(a)).framesDecoded.gus ?? 0, (await stats(b)).framesDecoded.fay ?? 0];
    assert.ok(afterOutage[0]! > before[0]! + 20 && afterOutage[1]! > before[1]! + 20, `video kept decoding both ways: ${before} → ${afterOutage}`);
    const c = await user(0, 'hal');
    await c.evaluate(() => document.querySelector('call-widget')!.dial('gus', { video: false }));
    const failed = await waitForEvent(c, 'call-error');
    assert.equal((failed.detail as { code: string }).code, 'cluster_unavailable');
    await cluster.redis.start();
    await until('the buses to be back', () => (nodes.every((node) => node.app.services.topology.connected) ? true : undefined), 10_000);
    assert.equal(await a.evaluate(() => document.querySelector('call-widget')!.getAttribute('state')), 'in-call', 'the call never ended');
    for (const p of [a, b, c]) await p.close();
  });
});
