// kill -9 of the node that holds a call, in real Chromium (issue 17, acceptance 4). The caller's widget reaches
// the cluster through deploy/Caddyfile.nodes (the doomed node first, lb_policy first); the callee's widget is
// on another node. When the call's node dies, the callee's node sees it stop beating and puts the callee back
// into the call on a live node; the caller's widget reconnects through the balancer, its session is adopted
// there and it rejoins the same call. Both rebuild their media and decode each other again; the call goes on
// (same CallID) and a hang-up ends it on both sides. All nodes share one PostgreSQL: the call has one record and
// one end, and the dead node, when it comes back, leaves the call its survivor continued alone.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApp, writeAppsFile } from '../../server/store/apps-file';
import { launchBrowser, newContext, openWidget, stats, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { type CaddyBalancer, startCaddyBalancer } from '../support/caddy';
import { testPostgres } from '../support/record-databases';
import { startRedis, type TestRedis } from '../support/redis';
import { startServer, type TestServer } from '../support/server';
import { type ServerProcess, startServerProcess } from '../support/server-process';
import { until } from '../support/until';
import { WebhookReceiver } from '../support/webhook-receiver';

const SMALL = { 'video-resolution': '360p', 'muted-tones': '' };

/** Resolves once `page` decodes more than 10 new frames from `userId` within one second (after a media reset). */
async function decodingAgain(page: Page, userId: string): Promise<void> {
  await until(`frames from ${userId} again`, async () => {
    const first = (await stats(page)).framesDecoded[userId] ?? 0;
    await page.waitForTimeout(1000);
    const second = (await stats(page)).framesDecoded[userId] ?? 0;
    return second > first + 10 ? true : undefined;
  }, 20_000, 0);
}

describe('cluster: the node holding a call dies (kill -9)', () => {
  const app = newApp('Failover e2e', { demo: true, origins: ['*'] });
  const dirs: string[] = [];
  let redis: TestRedis;
  let doomed: ServerProcess;
  const live: TestServer[] = [];
  let balancer: CaddyBalancer;
  let browser: Browser;
  let ctx: BrowserContext;
  let receiver: WebhookReceiver;
  let doomedEnv: Record<string, string>;
  let doomedDir: string;

  before(async () => {
    redis = await startRedis();
    const databaseUrl = await (await testPostgres()).createDatabase('failover');
    const env = app.environments.development!;
    receiver = await WebhookReceiver.create(env.webhooks.secret);
    env.webhooks.urls = [receiver.url];
    await receiver.up();
    doomedDir = mkdtempSync(join(tmpdir(), 'cw-doomed-'));
    dirs.push(doomedDir);
    writeAppsFile(join(doomedDir, 'apps.json'), [app]);
    doomedEnv = { REDIS_URL: redis.url, DATABASE_URL: databaseUrl, CLUSTER_NODE_ID: 'doomed', CLUSTER_HEARTBEAT_MS: '200', RECONNECT_GRACE_SECONDS: '20', WEBHOOK_ALLOW_PRIVATE: 'on' };
    doomed = await startServerProcess(doomedDir, doomedEnv);
    for (const nodeId of ['second', 'third']) live.push(await startServer({ apps: [app], reconnectGraceMs: 20_000, cluster: { redisUrl: redis.url, nodeId }, databaseUrl, webhooks: { allowPrivate: true } }));
    const caddyfile = readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'Caddyfile.nodes'), 'utf8');
    balancer = await startCaddyBalancer([new URL(doomed.url).host, new URL(live[0]!.url).host], caddyfile);
    await until('the balancer ready', async () => ((await fetch(`${balancer.url}/readyz`)).status === 200 ? true : undefined));
    await until('every node to see the others', () => (live.every((n) => ['doomed', 'second', 'third'].every((id) => n.app.services.topology.isLive(id))) ? true : undefined), 5000);
    browser = await launchBrowser();
    ctx = await newContext(browser);
  });
  after(async () => {
    await browser?.close();
    await balancer?.stop();
    await doomed?.stop('SIGKILL');
    for (const n of live) await n.close();
    await receiver?.down();
    await redis?.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  test('both sides decode each other again on a live node and the call goes on', async () => {
    const page = live[1]!;
    const a = await openWidget(ctx, page.url, await page.token('amy'), { ...SMALL, server: balancer.url });
    const b = await openWidget(ctx, page.url, await page.token('ben'), SMALL);
    await a.evaluate(() => document.querySelector('call-widget')!.dial('ben', { video: true }));
    await waitForState(b, 'incoming');
    const ring = await waitForEvent(b, 'call-incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForVideoFrom(a, 'ben', 10, 20_000), waitForVideoFrom(b, 'amy', 10, 20_000)]);
    assert.ok(!live.some((n) => n.app.services.rooms.size > 0), 'the call lives on the doomed node');

    const killedAt = Date.now();
    assert.equal(await doomed.stop('SIGKILL'), null);
    await Promise.all([decodingAgain(a, 'ben'), decodingAgain(b, 'amy')]);
    console.log(`[failover] media decoded again on both sides ${Date.now() - killedAt} ms after kill -9 of the call's node`);
    const holders = live.filter((n) => n.app.services.rooms.get(n.app.services.apps.tenant(app.environments.development!.appKey)!.key, ring.detail.callId as string));
    assert.equal(holders.length, 1, 'one live node continues the call');
    for (const p of [a, b]) assert.equal(await p.evaluate(() => document.querySelector('call-widget')!.getAttribute('state')), 'in-call');

    await b.evaluate(() => document.querySelector('call-widget')!.hangup());
    const [ea, eb] = await Promise.all([waitForEvent(a, 'call-ended'), waitForEvent(b, 'call-ended')]);
    assert.equal(ea.detail.callId, ring.detail.callId, 'the same call, continued');
    assert.equal(ea.detail.reason, 'hangup');
    assert.equal(eb.detail.reason, 'hangup');

    // The dead node comes back (same CLUSTER_NODE_ID, same database): it closes what it alone left open (the
    // call's first room session), not the call a live node continued and ended.
    doomed = await startServerProcess(doomedDir, doomedEnv);
    const callId = ring.detail.callId as string;
    const tenantKey = live[0]!.app.services.apps.tenant(app.environments.development!.appKey)!.key;
    const record = await live[0]!.app.services.records.getCall(tenantKey, callId);
    assert.equal(record?.endReason, 'hangup', 'one end: the hang-up');
    const first = await live[0]!.app.services.records.getSession(tenantKey, record.sessionId);
    // Closed by its own restart, or by the survivors' sweep if that came first (grace + 5 s after the death).
    assert.ok(['server_restart', 'failed'].includes(first?.endReason ?? ''), `the dead node's session was closed (${first?.endReason})`);
    await until('the webhooks of the call', () => (receiver.received.some((r) => r.event.type === 'session.ended' && r.event.data.sessionId === record.sessionId) ? true : undefined), 20_000);
    const ends = receiver.received.filter((r) => r.event.type === 'call.ended' && r.event.data.callId === callId);
    assert.deepEqual(ends.map((r) => r.event.data.reason), ['hangup'], 'call.ended announced once');
    assert.equal(new Set(receiver.received.map((r) => r.id)).size, receiver.received.length, 'no webhook twice');
  });
});
