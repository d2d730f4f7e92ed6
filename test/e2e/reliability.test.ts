import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { events, newContext, openWidget, stats, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import type { TestServer } from '../support/server';
import { useServerAndBrowser } from '../support/suite';
import { untilTrue } from '../support/until';

/** Whether video from `userId` is being decoded right now (frames counted twice, 400 ms apart). */
async function videoFlowing(page: Page, userId: string): Promise<boolean> {
  const first = (await stats(page)).framesDecoded[userId] ?? 0;
  await new Promise((r) => setTimeout(r, 400));
  const second = (await stats(page)).framesDecoded[userId] ?? 0;
  return second - first >= 3;
}

const until = (what: string, probe: () => Promise<boolean> | boolean, timeoutMs: number): Promise<number> => untilTrue(what, probe, timeoutMs);

/**
 * Faults in the middle of a real call (two Chromium pages, real server, real mediasoup): the signaling socket
 * drops, the media worker is killed, a client stays offline past the grace period.
 */
describe('reliability in the browser', () => {
  const suite = useServerAndBrowser({ workers: 2, reconnectGraceMs: 4000 });
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let n = 0;
  let tenantKey: string;
  let bCtx: BrowserContext | undefined;

  /** `b` gets its own browser context when it will go offline (offline emulation applies to a whole context). */
  async function inCall(attrs: Record<string, string> = {}, bContext = ctx): Promise<{ a: Page; b: Page; aId: string; bId: string; callId: string }> {
    const [aId, bId] = [`rel-a${++n}`, `rel-b${n}`];
    const a = await openWidget(ctx, server.url, await server.token(aId), { 'video-resolution': '360p', 'muted-tones': '', ...attrs });
    const b = await openWidget(bContext, server.url, await server.token(bId), { 'video-resolution': '360p', 'muted-tones': '', ...attrs });
    await a.evaluate((who) => document.querySelector('call-widget')!.dial(who, { video: true }), bId);
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    await Promise.all([waitForVideoFrom(a, bId), waitForVideoFrom(b, aId)]);
    const callId = String((await waitForEvent(b, 'call-connected')).detail.callId);
    return { a, b, aId, bId, callId };
  }
  /** Drops the user's signaling socket abruptly, from the server side (no close frame: like a network cut). */
  function dropSocket(userId: string): void {
    const sessions = server.app.services.presence.connectionsOf(tenantKey, userId) as unknown as Array<{ terminateConnection(): void }>;
    assert.ok(sessions.length > 0, `${userId} is connected`);
    for (const s of sessions) s.terminateConnection();
  }

  before(() => {
    server = suite.server;
    browser = suite.browser;
    tenantKey = server.app.services.apps.tenant(server.apps[0]!.environments.development!.appKey)!.key;
  });
  test.beforeEach(async () => {
    ctx = await newContext(browser);
  });
  test.afterEach(async () => {
    await ctx?.close();
    await bCtx?.close();
    bCtx = undefined;
  });

  test('the signaling socket drops mid-call: "reconnecting", then the same call resumes with media both ways', async () => {
    const { a, b, aId, bId, callId } = await inCall();
    dropSocket(bId);
    await waitForEvent(b, 'call-reconnecting');
    await until('the banner shows', async () => (await b.locator('call-widget [part~="reconnecting"]').count()) === 1 || (await events(b, 'call-reconnected')).length > 0, 5000);
    const back = await waitForEvent(b, 'call-reconnected', 5000);
    assert.equal(back.detail.callId, callId, 'same call');
    await waitForState(b, 'in-call', 5000);
    assert.equal((await events(b, 'call-ended')).length + (await events(a, 'call-ended')).length, 0, 'nobody saw the call end');
    assert.equal((await events(b, 'call-connected')).length, 1, 'resuming is not a new connection of the call');
    await until('media both ways after the resume (ICE restarted)', async () => (await videoFlowing(a, bId)) && (await videoFlowing(b, aId)), 5000);
    const room = server.app.services.rooms.get(tenantKey, callId);
    assert.equal(room?.participants.size, 2, 'both still in the call on the server');
    await b.evaluate(() => document.querySelector('call-widget')!.hangup());
    assert.equal((await waitForEvent(a, 'call-ended')).detail.reason, 'hangup', 'the resumed client can still hang up the call');
  });

  test('kill -9 of the media worker mid-call: both sides decode video again within 5 s, the call goes on', async () => {
    const { a, b, aId, bId, callId } = await inCall();
    const room = server.app.services.rooms.get(tenantKey, callId)!;
    const victim = room.media.workerPid;
    const before = { a: (await stats(a)).framesDecoded[bId] ?? 0, b: (await stats(b)).framesDecoded[aId] ?? 0 };
    const killedAt = Date.now();
    process.kill(victim, 'SIGKILL');
    // The old consumers are gone (their counters restart), then the new ones decode.
    await until('both sides dropped the dead media', async () => ((await stats(a)).framesDecoded[bId] ?? 0) < before.a && ((await stats(b)).framesDecoded[aId] ?? 0) < before.b, 5000);
    await until('video decoded again both ways', async () => (await videoFlowing(a, bId)) && (await videoFlowing(b, aId)), 5000 - (Date.now() - killedAt));
    assert.notEqual(room.media.workerPid, victim);
    assert.equal(await a.locator('call-widget').getAttribute('state'), 'in-call');
    assert.equal(await b.locator('call-widget').getAttribute('state'), 'in-call');
    assert.equal((await events(a, 'call-ended')).length, 0);
    await a.evaluate(() => document.querySelector('call-widget')!.hangup());
    await waitForEvent(b, 'call-ended');
  });

  test('offline past the grace period: the call ends with connection_lost on both sides', async () => {
    const { a, b, bId } = await inCall({}, (bCtx = await newContext(browser)));
    await b.context().setOffline(true);
    dropSocket(bId);
    await waitForState(b, 'reconnecting');
    const [ea, eb] = await Promise.all([waitForEvent(a, 'call-ended', 10_000), waitForEvent(b, 'call-ended', 10_000)]);
    assert.equal(ea.detail.reason, 'connection_lost');
    assert.equal(eb.detail.reason, 'connection_lost');
    await waitForState(b, 'ended');
    await b.context().setOffline(false);
  });

  test('hanging up while reconnecting ends the call here at once, and for the other side once back online', async () => {
    const { a, b, bId } = await inCall({ 'reconnect-grace': '30' }, (bCtx = await newContext(browser)));
    await b.context().setOffline(true);
    dropSocket(bId);
    await waitForState(b, 'reconnecting');
    await b.evaluate(() => document.querySelector('call-widget')!.hangup());
    assert.equal((await waitForEvent(b, 'call-ended', 2000)).detail.reason, 'hangup');
    assert.equal((await events(a, 'call-ended')).length, 0, 'the server still keeps b’s place');
    await b.context().setOffline(false);
    assert.equal((await waitForEvent(a, 'call-ended', 10_000)).detail.reason, 'hangup', 'told the server on resume');
  });

  test('back online within the grace period: the online event resumes the call at once', async () => {
    const { a, b, aId, bId, callId } = await inCall({ 'reconnect-grace': '30' }, (bCtx = await newContext(browser)));
    await b.context().setOffline(true);
    dropSocket(bId);
    await waitForState(b, 'reconnecting');
    await b.waitForTimeout(1500); // a few failed attempts: the backoff grows
    await b.context().setOffline(false); // fires `online`
    const back = await waitForEvent(b, 'call-reconnected', 5000);
    assert.equal(back.detail.callId, callId);
    await waitForState(b, 'in-call');
    await until('media both ways', async () => (await videoFlowing(a, bId)) && (await videoFlowing(b, aId)), 5000);
  });
});
