import { DEFAULT_LIMITS } from '../../server/domain/apps';
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { newApp } from '../../server/store/apps-file';
import { launchBrowser, newContext, openWidget, stats, waitForEvent, waitForState, waitForVideoFrom, waitUntil } from '../support/browser';
import { startServer, type TestServer } from '../support/server';

// Sized for 2 cores: 360p capture (layers 160/320/640 wide), at most 4 parties with video.
const SMALL = { 'video-resolution': '360p' };
const app = newApp('Multi', { demo: true, origins: ['*'] });
const tight = newApp('Tight', { demo: true, origins: ['*'] });
tight.environments.development!.limits = { ...DEFAULT_LIMITS, maxParticipants: 4, maxVideoPublishers: 1 };

describe('multi-party calls, rooms and the grid', () => {
  let server: TestServer;
  let browser: Browser;
  let ctx: BrowserContext;
  const widget = (page: Page, sel: string) => page.locator(`call-widget ${sel}`);
  const tenantKey = () => `${app.id}:development`;
  async function user(id: string, attrs: Record<string, string> = {}, grants?: { roomAdmin?: boolean }, which = app): Promise<Page> {
    return openWidget(ctx, server.url, await server.token(id, { app: which, ...(grants ? { grants } : {}) }), { ...SMALL, ...attrs });
  }
  /** Server-side view of what `userId` receives in `roomId`. */
  const receives = (roomId: string, userId: string) => server.app.services.rooms.get(tenantKey(), roomId)!.media.peer(userId).consumerStates();

  before(async () => {
    server = await startServer({ apps: [app, tight] });
    browser = await launchBrowser();
    ctx = await newContext(browser);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });

  test('A calls B, invites C and D: everyone decodes three videos; layers follow tile size; paged-out tiles are paused; speaker and pin', async () => {
    const a = await user('ann');
    const b = await user('ben', { 'page-size': '9' });
    const c = await user('cat');
    const d = await user('dan');
    await a.evaluate(() => document.querySelector('call-widget')!.dial('ben', { video: true }));
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await waitForState(a, 'in-call');
    await a.evaluate(() => document.querySelector('call-widget')!.invite(['cat', 'dan']));
    await Promise.all([waitForState(c, 'incoming'), waitForState(d, 'incoming')]);
    await c.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await d.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    const everyone: [Page, string][] = [[a, 'ann'], [b, 'ben'], [c, 'cat'], [d, 'dan']];
    for (const [page, me] of everyone) {
      for (const [, other] of everyone) if (other !== me) await waitForVideoFrom(page, other, 10, 20_000);
    }

    // getStats reports bitrate and frame rate for each remote video.
    await b.waitForTimeout(1000);
    await stats(b);
    await b.waitForTimeout(1000);
    const s = await stats(b);
    for (const other of ['ann', 'cat', 'dan']) {
      assert.ok((s.video[other]?.bitrateKbps ?? 0) > 0, `bitrate from ${other}: ${JSON.stringify(s.video)}`);
      assert.ok((s.video[other]?.framesPerSecond ?? 0) > 0, `fps from ${other}`);
    }

    // On B, pin A: A's tile is big → main layer (≥ 640 wide).
    const callId = (await waitForEvent(b, 'call-connected')).detail.callId as string;
    await b.evaluate(() => document.querySelector('call-widget')!.pin('ann'));
    await widget(b, '[part~="spotlight"] [data-user-id="ann"]').waitFor();
    await waitUntil(b, async () => ((await document.querySelector('call-widget')!.getStats()).video.ann?.frameWidth ?? 0) >= 640, undefined, 'ann at the main layer', 10_000);
    // Pin C instead: A becomes a thumbnail in the strip → ≤ 320 wide within 2 s (measured from the pin).
    await b.evaluate(() => document.querySelector('call-widget')!.pin('cat'));
    await waitUntil(b, async () => ((await document.querySelector('call-widget')!.getStats()).video.ann?.frameWidth ?? 9999) <= 320, undefined, 'ann at a low layer', 2_000);

    // Paging: with 2 tiles per page, the tile on page 2 is not received (its consumer is paused on the server).
    await b.evaluate(() => {
      const w = document.querySelector('call-widget')!;
      w.pin(undefined);
      w.pageSize = 2;
    });
    await waitUntil(b, () => document.querySelector('call-widget')!.shadowRoot!.querySelectorAll('[part~="tile"]').length === 2, undefined, 'two tiles on page 1');
    const hidden = await b.evaluate(() => {
      const shown = [...document.querySelector('call-widget')!.shadowRoot!.querySelectorAll<HTMLElement>('[part~="tile"]')].map((t) => t.dataset.userId);
      return ['ann', 'cat', 'dan'].find((u) => !shown.includes(u))!;
    });
    const pausedFor = async (userId: string) => receives(callId, 'ben').find((x) => x.producerUserId === userId && x.kind === 'video')?.paused;
    for (let i = 0; i < 40 && !(await pausedFor(hidden)); i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await pausedFor(hidden), true, `${hidden}'s video is paused for ben while off-page`);
    await widget(b, '[part~="page-next"]').click();
    for (let i = 0; i < 40 && (await pausedFor(hidden)); i += 1) await new Promise((r) => setTimeout(r, 50));
    assert.equal(await pausedFor(hidden), false, 'shown again → resumed');

    // Active speaker: the fake microphones beep; the server's dominant speaker is highlighted on the others' grids
    // (not on the speaker's own, where they have no tile).
    const speakingSomewhere = async () => {
      for (const [page] of everyone) {
        if (await page.evaluate(() => document.querySelector('call-widget')!.shadowRoot!.querySelector('[part~="tile"][data-speaking="true"]') !== null)) return true;
      }
      return false;
    };
    let highlighted = false;
    for (let i = 0; i < 150 && !highlighted; i += 1) {
      highlighted = await speakingSomewhere();
      if (!highlighted) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(highlighted, 'an active speaker is highlighted');

    // Pin through the tile menu (the UI path).
    await b.evaluate(() => (document.querySelector('call-widget')!.pageSize = 9));
    await widget(b, '[data-user-id="dan"] summary').click();
    await widget(b, '[data-user-id="dan"] [part~="pin"]').click();
    await widget(b, '[part~="spotlight"] [data-user-id="dan"][data-pinned="true"]').waitFor();

    for (const [page] of everyone) await page.evaluate(() => document.querySelector('call-widget')!.hangup());
    for (const [page] of everyone) await page.close();
  });

  test('conference room: three join by RoomID; it disappears when they leave and can be re-created', async () => {
    const pages = [await user('r1'), await user('r2'), await user('r3')];
    for (const p of pages) await p.evaluate(() => document.querySelector('call-widget')!.join('weekly', { video: false }));
    for (const p of pages) await waitForState(p, 'in-call');
    const room = server.app.services.rooms.get(tenantKey(), 'weekly')!;
    assert.equal(room.participants.size, 3);
    const firstSession = room.sessionId;
    for (const p of pages) await p.evaluate(() => document.querySelector('call-widget')!.leave());
    for (const p of pages) await waitForState(p, 'idle');
    assert.equal(server.app.services.rooms.get(tenantKey(), 'weekly'), undefined, 'room gone');
    await pages[0]!.evaluate(() => document.querySelector('call-widget')!.join('weekly', { video: false }));
    await waitForState(pages[0]!, 'in-call');
    assert.notEqual(server.app.services.rooms.get(tenantKey(), 'weekly')!.sessionId, firstSession);
    for (const p of pages) await p.close();
  });

  test('participants first: a watcher who publishes nothing gets a tile with name and initials at once; their tile goes when they leave', async () => {
    const host = await user('hana', {}, undefined);
    const watcher = await openWidget(ctx, server.url, await server.token('walt', { app, name: 'Walt Watcher', grants: { canPublish: false } }), SMALL);
    await host.evaluate(() => document.querySelector('call-widget')!.join('standup', { video: true }));
    await waitForState(host, 'in-call');
    await watcher.evaluate(() => document.querySelector('call-widget')!.join('standup', { video: false }));
    await waitForState(watcher, 'in-call');
    // The host sees the watcher's tile although there is nothing of theirs to consume: name, initial, no video.
    const tile = widget(host, '[part~="tile"][data-user-id="walt"]');
    await tile.waitFor();
    assert.equal(await tile.getAttribute('data-camera-off'), 'true');
    assert.match((await tile.locator('.label').textContent()) ?? '', /Walt Watcher/);
    assert.equal((await tile.locator('.avatar').textContent())?.trim(), 'W');
    assert.deepEqual(server.app.services.rooms.get(tenantKey(), 'standup')!.media.peer('walt').producerIds(), [], 'the watcher publishes nothing');
    // The watcher sees the host (a tile with video), and no tile of their own.
    await waitForVideoFrom(watcher, 'hana', 5, 20_000);
    assert.equal(await widget(watcher, '[part~="tile"][data-user-id="walt"]').count(), 0);
    await watcher.evaluate(() => document.querySelector('call-widget')!.leave());
    await tile.waitFor({ state: 'detached' });
    await host.evaluate(() => document.querySelector('call-widget')!.leave());
    for (const p of [host, watcher]) await p.close();
  });

  test('live room: 1 host + 3 viewers; viewers have no producers or send transport; promotion to stage works', async () => {
    const host = await user('host1', { room: 'show', 'room-kind': 'live' }, { roomAdmin: true });
    await waitForState(host, 'in-call');
    const viewers = [await user('v1', { room: 'show', 'room-kind': 'live' }), await user('v2', { room: 'show', 'room-kind': 'live' }), await user('v3', { room: 'show', 'room-kind': 'live' })];
    for (const v of viewers) await waitVideo(v, 'host1');
    const room = server.app.services.rooms.get(tenantKey(), 'show')!;
    for (const id of ['v1', 'v2', 'v3']) {
      assert.deepEqual(room.media.peer(id).transportDirections, ['recv'], `${id} has only a recv transport`);
      assert.equal(room.media.producers().filter((p) => p.userId === id).length, 0);
    }
    await widget(host, '[part~="audience-count"]').filter({ hasText: '3 viewers' }).waitFor();
    await host.evaluate(() => document.querySelector('call-widget')!.setParticipantRole('v1', 'host'));
    await waitVideo(host, 'v1');
    await waitVideo(viewers[1]!, 'v1');
    for (const p of [host, ...viewers]) await p.close();

    async function waitVideo(page: Page, from: string) {
      await waitForVideoFrom(page, from, 10, 20_000);
    }
  });

  test('over the video limit: typed error, then the audio-only offer joins', async () => {
    const first = await user('t1', {}, undefined, tight);
    const second = await user('t2', {}, undefined, tight);
    await first.evaluate(() => document.querySelector('call-widget')!.join('tiny'));
    await waitForState(first, 'in-call');
    await second.evaluate(() => document.querySelector('call-widget')!.join('tiny'));
    const error = await waitForEvent(second, 'call-error');
    assert.equal(error.detail.code, 'video_full');
    await second.bringToFront();
    await widget(second, '[part~="join-audio-only"]').click();
    await waitForState(second, 'in-call');
    assert.equal((await stats(second)).videoTracksSent, 0);
    for (const p of [first, second]) await p.close();
  });

  test('an admin mutes and removes a participant; a non-admin gets a typed error', async () => {
    const admin = await user('boss', {}, { roomAdmin: true });
    const x = await user('xavi');
    const y = await user('yola');
    for (const p of [admin, x, y]) await p.evaluate(() => document.querySelector('call-widget')!.join('board', { video: false }));
    for (const p of [admin, x, y]) await waitForState(p, 'in-call');
    await waitUntil(x, async () => ((await document.querySelector('call-widget')!.getStats()).audioPacketsReceived.boss ?? 0) > 5, undefined, 'audio flowing');
    await y.evaluate(() => document.querySelector('call-widget')!.muteParticipant('xavi'));
    assert.equal((await waitForEvent(y, 'call-error')).detail.code, 'forbidden');
    await admin.evaluate(() => document.querySelector('call-widget')!.muteParticipant('xavi'));
    await widget(y, '[data-user-id="xavi"] [part~="mute-indicator"]').waitFor();
    await widget(x, '[part~="mic"][aria-pressed="true"]').waitFor(); // xavi sees himself muted
    await admin.evaluate(() => document.querySelector('call-widget')!.removeParticipant('yola'));
    await waitForState(y, 'error');
    assert.match(await widget(y, '[part~="status"]').innerText(), /removed/i);
    for (const p of [admin, x, y]) await p.close();
  });

  test('screen share: an extra producer, spotlighted on the others, gone when stopped', async () => {
    const a = await user('sharer');
    const b = await user('watcher');
    for (const p of [a, b]) await p.evaluate(() => document.querySelector('call-widget')!.join('demo-day', { video: true }));
    await waitForVideoFrom(b, 'sharer');
    await a.bringToFront();
    await widget(a, '[part~="screen-share"]').click();
    await widget(a, '[part~="screen-share"][aria-pressed="true"]').waitFor();
    const screenVideo = '[part~="spotlight"] [data-source="screen"][data-user-id="sharer"] video';
    await waitUntil(b, (sel) => ((document.querySelector('call-widget')!.shadowRoot!.querySelector(sel) as HTMLVideoElement | null)?.videoWidth ?? 0) > 0, screenVideo, 'the screen share decoded in the spotlight');
    const room = server.app.services.rooms.get(tenantKey(), 'demo-day')!;
    assert.ok(room.media.producers().some((p) => p.userId === 'sharer' && p.source === 'screen'));
    await a.evaluate(() => document.querySelector('call-widget')!.stopScreenShare());
    await waitUntil(b, () => document.querySelector('call-widget')!.shadowRoot!.querySelector('[data-source="screen"]') === null, undefined, 'screen tile removed');
    for (const p of [a, b]) await p.close();
  });
});
