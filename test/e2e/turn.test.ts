// TURN through a real coturn on loopback: both widgets forced to `ice-transport-policy="relay"`, so media can
// only flow if the server's derived credentials are accepted by coturn and coturn relays to the SFU.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, newContext, openWidget, recordPeerConnections, selectedPaths, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { type Coturn, startCoturn } from '../support/coturn';
import { startServer, type TestServer } from '../support/server';

const SECRET = 'coturn-test-secret-0123456789';
const RELAY = { 'video-resolution': '360p', 'muted-tones': '', 'ice-transport-policy': 'relay' };

describe('TURN relay (coturn, use-auth-secret)', () => {
  let coturn: Coturn;
  let good: TestServer;
  let wrong: TestServer;
  let browser: Browser;
  before(async () => {
    coturn = await startCoturn(SECRET);
    good = await startServer({ turn: { urls: coturn.urls, secret: SECRET, credentialTtlSeconds: 600 } });
    // A server whose TURN_SECRET does not match coturn's: its credentials are refused.
    wrong = await startServer({ turn: { urls: coturn.urls, secret: 'not-the-coturn-secret', credentialTtlSeconds: 600 } });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await good?.close();
    await wrong?.close();
    await coturn?.stop();
  });

  test('a relay-only 1:1 video call renders video both ways, and every path goes through the relay', async () => {
    const ctx = await newContext(browser);
    await recordPeerConnections(ctx);
    const a = await openWidget(ctx, good.url, await good.token('relay-a'), RELAY);
    const b = await openWidget(ctx, good.url, await good.token('relay-b'), RELAY);
    await a.evaluate(() => document.querySelector('call-widget')!.dial('relay-b', { video: true }));
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    await Promise.all([waitForVideoFrom(a, 'relay-b', 10, 20_000), waitForVideoFrom(b, 'relay-a', 10, 20_000)]);
    for (const page of [a, b]) {
      const paths = await selectedPaths(page);
      assert.equal(paths.length, 2, `send and recv connected: ${JSON.stringify(paths)}`);
      for (const path of paths) {
        assert.equal(path.localCandidateType, 'relay', JSON.stringify(path));
        assert.deepEqual(path.gatheredTypes, ['relay'], 'relay candidates only');
      }
    }
    await a.evaluate(() => document.querySelector('call-widget')!.hangup());
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'hangup');
    await ctx.close();
  });

  test('a wrong TURN_SECRET gives a clear call-error (media_error), not a hang', async () => {
    const ctx = await newContext(browser);
    const a = await openWidget(ctx, wrong.url, await wrong.token('bad-a'), RELAY);
    const b = await openWidget(ctx, wrong.url, await wrong.token('bad-b'), RELAY);
    await a.evaluate(() => document.querySelector('call-widget')!.join('turn-room', { video: true }));
    await b.evaluate(() => document.querySelector('call-widget')!.join('turn-room', { video: true }));
    const error = await waitForEvent(a, 'call-error', 45_000);
    assert.equal(error.detail.code, 'media_error');
    assert.match(String(error.detail.message), /ICE failed/);
    await ctx.close();
  });
});
