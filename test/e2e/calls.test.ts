import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { events, launchBrowser, newContext, openWidget, stats, waitForAudioFrom, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { startServer, type TestServer } from '../support/server';

/** 1:1 calls end to end: two real Chromium pages, real server and media, driven by the public API and buttons. */
describe('1:1 calls in the browser', () => {
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  let n = 0;
  const part = (page: Page, name: string) => page.locator(`call-widget [part~="${name}"]`);
  async function pair(): Promise<{ a: Page; b: Page; aId: string; bId: string }> {
    const aId = `caller${++n}`;
    const bId = `callee${n}`;
    const a = await openWidget(ctx, server.url, await server.token(aId, { name: `Caller ${n}` }));
    const b = await openWidget(ctx, server.url, await server.token(bId, { name: `Callee ${n}` }));
    return { a, b, aId, bId };
  }
  /** Clicks a rendered button; the page comes to the front first (background tabs get throttled frames). */
  async function press(page: Page, name: string): Promise<void> {
    await page.bringToFront();
    await part(page, name).click();
  }
  async function dialFromUi(page: Page, who: string, video: boolean): Promise<void> {
    await part(page, 'callee-input').fill(who);
    await press(page, video ? 'dial-video' : 'dial-audio');
  }

  before(async () => {
    server = await startServer({ ringTimeoutMs: 3000 });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  test.beforeEach(async () => {
    ctx = await newContext(browser);
  });
  test.afterEach(async () => {
    await ctx?.close();
  });

  test('video call: dial, ring, accept, media both ways, hang up with matching records', async () => {
    const { a, b, aId, bId } = await pair();
    await dialFromUi(a, bId, true);
    await waitForState(a, 'outgoing');
    await waitForState(b, 'incoming');
    assert.match(await part(b, 'status').innerText(), new RegExp(`Caller ${n} is video calling you`));
    const incoming = await waitForEvent(b, 'call-incoming');
    assert.equal((incoming.detail.caller as { userId: string }).userId, aId);
    const outgoing = await waitForEvent(a, 'call-outgoing');
    assert.equal(outgoing.detail.callId, incoming.detail.callId);
    assert.deepEqual(outgoing.detail.callees, [bId]);

    // While it rings, the callee already set up its transports on the server.
    const rooms = server.app.services.rooms;
    for (let i = 0; i < 100 && rooms.preparedCount === 0; i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.equal(rooms.preparedCount, 1, 'callee prepared its media while ringing');
    await press(b, 'accept');
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    assert.equal(rooms.preparedCount, 0, 'accepting promoted the prepared media');
    await Promise.all([waitForVideoFrom(a, bId), waitForVideoFrom(b, aId)]);
    const [sa, sb] = [await stats(a), await stats(b)];
    assert.ok((sa.framesDecoded[bId] ?? 0) > 0 && (sb.framesDecoded[aId] ?? 0) > 0, `frames both ways: ${JSON.stringify([sa, sb])}`);
    await Promise.all([waitForAudioFrom(a, bId), waitForAudioFrom(b, aId)]);
    const connected = await waitForEvent(b, 'call-connected');
    assert.equal(connected.detail.callId, incoming.detail.callId);

    await a.waitForTimeout(1200);
    assert.match(await part(a, 'timer').innerText(), /^0:0[1-9]/);
    await press(a, 'hangup');
    const [ea, eb] = await Promise.all([waitForEvent(a, 'call-ended'), waitForEvent(b, 'call-ended')]);
    assert.equal(ea.detail.reason, 'hangup');
    assert.equal(eb.detail.reason, 'hangup');
    assert.equal(ea.detail.callId, eb.detail.callId);
    assert.equal(ea.detail.sessionId, eb.detail.sessionId);
    assert.ok(typeof ea.detail.sessionId === 'string' && ea.detail.sessionId.length > 0, `sessionId ${JSON.stringify(ea.detail)}`);
    assert.ok(Math.abs((ea.detail.durationMs as number) - (eb.detail.durationMs as number)) < 1000, `durations ${JSON.stringify([ea.detail, eb.detail])}`);
    assert.ok((ea.detail.durationMs as number) > 1000, `duration ${JSON.stringify(ea.detail)}`);
    await waitForState(b, 'ended');
    assert.match(await part(b, 'status').innerText(), /ended/i);
  });

  test('decline → declined', async () => {
    const { a, b, bId } = await pair();
    await a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: false }), bId);
    await waitForState(b, 'incoming');
    await press(b, 'decline');
    const ended = await waitForEvent(a, 'call-ended');
    assert.equal(ended.detail.reason, 'declined');
    assert.match(await part(a, 'status').innerText(), /declined/);
  });

  test('caller cancels before answer → cancelled on both', async () => {
    const { a, b, bId } = await pair();
    await dialFromUi(a, bId, true);
    await waitForState(b, 'incoming');
    await press(a, 'cancel');
    assert.equal((await waitForEvent(a, 'call-ended')).detail.reason, 'cancelled');
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'cancelled');
  });

  test('pre-join: the camera previews with a moving mic meter; the call then gets the camera and the preview stops', async () => {
    const aId = `prejoin${++n}`;
    const bId = `prejoin-callee${n}`;
    const a = await openWidget(ctx, server.url, await server.token(aId), { prejoin: '', 'video-resolution': '360p' });
    const b = await openWidget(ctx, server.url, await server.token(bId));
    const inShadow = (selector: string) => `document.querySelector('call-widget').shadowRoot.querySelector('${selector}')`;
    await a.waitForFunction(`(${inShadow('[part~="preview-video"]')})?.videoWidth > 0`, undefined, { polling: 50, timeout: 10_000 });
    await a.waitForFunction(`Number((${inShadow('[part~="mic-meter"]')})?.getAttribute('aria-valuenow')) > 0`, undefined, { polling: 50, timeout: 10_000 });
    await part(a, 'device-settings').click();
    assert.ok((await part(a, 'camera-select').locator('option').count()) >= 2, 'the fake camera is listed');
    await a.keyboard.press('Escape');
    await dialFromUi(a, bId, true);
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: false }));
    await waitForVideoFrom(b, aId);
    assert.equal(await part(a, 'preview-video').count(), 0, 'no preview during the call');
    await press(a, 'hangup');
    await waitForEvent(b, 'call-ended');
  });

  test('ring timeout → no_answer on both', async () => {
    const { a, b, bId } = await pair();
    await a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: false }), bId);
    await waitForState(b, 'incoming');
    assert.equal((await waitForEvent(a, 'call-ended')).detail.reason, 'no_answer');
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'no_answer');
  });

  test('a missed call: the callee sees a badge (also after a reload), and calls back from the recent list', async () => {
    const { a, b, bId } = await pair();
    await a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: false }), bId);
    await waitForState(b, 'incoming');
    await waitForEvent(b, 'call-ended');
    await press(b, 'dismiss');
    await waitForState(b, 'idle');
    await b.waitForFunction(() => document.querySelector('call-widget')?.shadowRoot?.querySelector('[part~="missed-badge"]')?.textContent?.trim() === '1', undefined, { polling: 50, timeout: 5000 });
    // The badge comes from the server's records: a fresh page of the same user shows it too.
    const again = await openWidget(ctx, server.url, await server.token(bId));
    await again.waitForFunction(() => document.querySelector('call-widget')?.shadowRoot?.querySelector('[part~="missed-badge"]')?.textContent?.trim() === '1', undefined, { polling: 50, timeout: 5000 });
    await again.close();
    await press(b, 'recent-toggle');
    assert.equal(await part(b, 'missed-badge').count(), 0, 'seen: the badge clears');
    assert.match(await part(b, 'recent-call').first().innerText(), new RegExp(`Caller ${n}[\\s\\S]*Missed`));
    await press(b, 'call-back');
    await waitForState(a, 'incoming');
    const incoming = await waitForEvent(a, 'call-incoming');
    assert.equal((incoming.detail.caller as { userId: string }).userId, bId);
    assert.equal(incoming.detail.video, false, 'called back the way it was called');
    await a.evaluate(() => document.querySelector('call-widget')!.decline());
  });

  test('callee in another call → busy; callee not connected → unavailable', async () => {
    const { a, b, bId } = await pair();
    await b.evaluate(() => document.querySelector('call-widget')!.join('meeting', { video: false }));
    await waitForState(b, 'in-call');
    await a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: false }), bId);
    assert.equal((await waitForEvent(a, 'call-ended')).detail.reason, 'busy');
    assert.equal((await events(b, 'call-incoming')).length, 0);
    await press(a, 'dismiss');
    await waitForState(a, 'idle');
    await a.evaluate(() => document.querySelector('call-widget')!.dial('never-connected', { video: false }));
    await a.waitForFunction(() => (window as unknown as { events: { type: string }[] }).events.filter((e) => e.type === 'call-ended').length === 2);
    assert.equal((await events(a, 'call-ended'))[1]?.detail.reason, 'unavailable');
  });

  test('callee open in two pages: both ring, accepting in one ends the other with answered_elsewhere', async () => {
    const { a, b, bId } = await pair();
    const b2 = await openWidget(ctx, server.url, await server.token(bId));
    await dialFromUi(a, bId, false);
    await Promise.all([waitForState(b, 'incoming'), waitForState(b2, 'incoming')]);
    await press(b2, 'accept');
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'answered_elsewhere');
    await Promise.all([waitForState(a, 'in-call'), waitForState(b2, 'in-call')]);
    await a.evaluate(() => document.querySelector('call-widget')!.hangup());
    assert.equal((await waitForEvent(b2, 'call-ended')).detail.reason, 'hangup');
  });

  test('audio-only call sends no video; muting mic and camera shows on the other side', async () => {
    const { a, b, aId, bId } = await pair();
    await dialFromUi(a, bId, false);
    await waitForState(b, 'incoming');
    await press(b, 'accept');
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    await waitForAudioFrom(b, aId);
    assert.equal((await stats(a)).videoTracksSent, 0);
    assert.equal((await stats(b)).videoTracksSent, 0);
    assert.deepEqual((await stats(b)).framesDecoded, {});
    assert.equal(await part(a, 'camera').count(), 0, 'no camera button in an audio call');
    await press(a, 'mic');
    await b.locator(`call-widget [part~="tile"][data-user-id="${aId}"] [part~="mute-indicator"]`).waitFor();
    await a.evaluate(() => document.querySelector('call-widget')!.setMicEnabled(true));
    await b.locator(`call-widget [part~="tile"][data-user-id="${aId}"][data-mic-muted="false"]`).waitFor();
    await a.evaluate(() => document.querySelector('call-widget')!.hangup());

    // Video call: turning the camera off shows on the other side too.
    const c = await pair();
    await c.a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: true }), c.bId);
    await waitForState(c.b, 'incoming');
    await c.b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await waitForVideoFrom(c.b, c.aId);
    await press(c.a, 'camera');
    await c.b.locator(`call-widget [part~="tile"][data-user-id="${c.aId}"][data-camera-off="true"]`).waitFor();
  });

  test('blocked camera/microphone → a clear error state (not a hang) and the callee stops ringing', async () => {
    const { a, b, bId } = await pair();
    await a.evaluate(() => {
      navigator.mediaDevices.getUserMedia = () => Promise.reject(new DOMException('denied', 'NotAllowedError'));
    });
    await a.evaluate((id) => document.querySelector('call-widget')!.dial(id, { video: true }), bId);
    const error = await waitForEvent(a, 'call-error');
    assert.equal(error.detail.code, 'media_permission_denied');
    await waitForState(a, 'error');
    assert.match(await part(a, 'status').innerText(), /blocked/);
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'cancelled');
    await press(a, 'dismiss');
    await waitForState(a, 'idle');
  });
});
