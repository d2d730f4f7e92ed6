// The SFU's transport layer as browsers meet it: the cipher they negotiate with the worker, and calls where ICE
// can only use TCP (the server started with RTC_PROTOCOLS=tcp, as where UDP is blocked).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { newContext, openWidget, recordPeerConnections, selectedPaths, waitForState, waitForVideoFrom } from '../support/browser';
import { useServerAndBrowser } from '../support/suite';

async function twoInARoom(ctx: BrowserContext, env: ReturnType<typeof useServerAndBrowser>, roomId: string): Promise<[Page, Page]> {
  await recordPeerConnections(ctx);
  const a = await openWidget(ctx, env.server.url, await env.server.token(`${roomId}-a`), { 'video-resolution': '360p' });
  const b = await openWidget(ctx, env.server.url, await env.server.token(`${roomId}-b`), { 'video-resolution': '360p' });
  await a.evaluate((id) => document.querySelector('call-widget')!.join(id), roomId);
  await waitForState(a, 'in-call');
  await b.evaluate((id) => document.querySelector('call-widget')!.join(id), roomId);
  await waitForState(b, 'in-call');
  await waitForVideoFrom(b, `${roomId}-a`);
  await waitForVideoFrom(a, `${roomId}-b`);
  return [a, b];
}

describe('SRTP with the mediasoup worker', () => {
  const env = useServerAndBrowser();

  test('Chromium negotiates AEAD_AES_256_GCM on every transport (DTLS through Debian\u2019s OpenSSL)', async () => {
    const ctx = await newContext(env.browser);
    const [a, b] = await twoInARoom(ctx, env, 'gcm');
    for (const page of [a, b]) {
      const paths = await selectedPaths(page);
      assert.equal(paths.length, 2, `send and recv transports connected: ${JSON.stringify(paths)}`);
      for (const path of paths) {
        assert.equal(path.dtlsState, 'connected');
        assert.equal(path.srtpCipher, 'SRTP_AEAD_AES_256_GCM', 'the IANA name Chromium reports for AEAD_AES_256_GCM');
      }
    }
    await ctx.close();
  });
});

describe('a call over ICE-TCP only (RTC_PROTOCOLS=tcp)', () => {
  const env = useServerAndBrowser({ rtcProtocols: ['tcp'] });

  test('video both ways, every selected path is TCP to the worker\u2019s one port', async () => {
    const ctx = await newContext(env.browser);
    const [a, b] = await twoInARoom(ctx, env, 'tcp');
    const health = env.server.status();
    for (const page of [a, b]) {
      const paths = await selectedPaths(page);
      assert.equal(paths.length, 2, JSON.stringify(paths));
      for (const path of paths) {
        assert.equal(path.localProtocol, 'tcp', JSON.stringify(path));
        assert.equal(path.remotePort, health.workers[0]!.rtcPort);
      }
    }
    await ctx.close();
  });
});
