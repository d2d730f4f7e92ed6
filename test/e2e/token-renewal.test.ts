// A 60 s token across a 90 s call in the browser: each widget is told ahead of expiry and renews in place —
// one from its `token-url`, the other from a `tokenProvider` — and the call goes on without a hiccup.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { events, newContext, openWidget, stats, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { useServerAndBrowser } from '../support/suite';

describe('token renewal in the browser', () => {
  const suite = useServerAndBrowser();

  test('a 60 s token across a 90 s call: renewed from token-url and from tokenProvider, no interruption', async () => {
    const { server, browser } = suite;
    const ctx = await newContext(browser);
    try {
      const [aId, bId] = ['renew-a', 'renew-b'];
      const attrs = { 'video-resolution': '360p', 'muted-tones': '' };
      const a = await openWidget(ctx, server.url, await server.token(aId, { ttlSeconds: 60 }), { ...attrs, 'token-url': `/e2e/token/${aId}?ttl=60` });
      const b = await openWidget(ctx, server.url, await server.token(bId, { ttlSeconds: 60 }), attrs);
      await b.evaluate((id) => {
        document.querySelector('call-widget')!.tokenProvider = async () => ((await (await fetch(`/e2e/token/${id}?ttl=60`, { method: 'POST' })).json()) as { token: string }).token;
      }, bId);
      const startedAt = Date.now();
      await a.evaluate((who) => document.querySelector('call-widget')!.dial(who, { video: true }), bId);
      await waitForState(b, 'incoming');
      await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
      await Promise.all([waitForVideoFrom(a, bId), waitForVideoFrom(b, aId)]);
      // Through the first token's expiry (60 s) and on to 90 s, checking every few seconds that the call holds.
      for (let i = 0; i < 40 && Date.now() - startedAt < 90_000; i += 1) {
        await new Promise((r) => setTimeout(r, 3000));
        for (const page of [a, b]) assert.equal(await page.evaluate(() => document.querySelector('call-widget')!.getAttribute('state')), 'in-call');
      }
      assert.ok(Date.now() - startedAt >= 90_000);
      for (const [page, peer] of [[a, bId], [b, aId]] as const) {
        assert.ok((await events(page, 'call-token-expiring')).length >= 1, 'told ahead of expiry');
        for (const bad of ['call-ended', 'call-error', 'call-reconnecting']) assert.deepEqual(await events(page, bad), [], `no ${bad}`);
        const before = (await stats(page)).framesDecoded[peer] ?? 0;
        await new Promise((r) => setTimeout(r, 1000));
        assert.ok(((await stats(page)).framesDecoded[peer] ?? 0) > before + 5, 'video still decoded after 90 s');
      }
      await a.evaluate(() => document.querySelector('call-widget')!.hangup());
      await waitForEvent(b, 'call-ended');
    } finally {
      await ctx.close();
    }
  });
});
