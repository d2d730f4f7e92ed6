// HTTPS as deployed: the server behind Debian's caddy with deploy/Caddyfile (tls internal on 127.0.0.1), the
// widget loaded over https into a page of another https origin, signaling over wss through the proxy.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser, mountWidget, newContext, waitForEvent, waitForState, waitForVideoFrom } from '../support/browser';
import { type CaddyFront, startCaddy } from '../support/caddy';
import { startServer, type TestServer } from '../support/server';

describe('behind Caddy over HTTPS', () => {
  let server: TestServer;
  let caddy: CaddyFront;
  let browser: Browser;
  before(async () => {
    server = await startServer({ trustProxy: ['127.0.0.1'] });
    caddy = await startCaddy(new URL(server.url).host, readFileSync(join(import.meta.dirname, '..', '..', 'deploy', 'Caddyfile'), 'utf8'));
    // Caddy's local CA is not in the browser's store (a real deployment has a public certificate).
    browser = await launchBrowser(['--ignore-certificate-errors']);
  });
  after(async () => {
    await browser?.close();
    await caddy?.stop();
    await server?.close();
  });

  async function onSite(ctx: BrowserContext, userId: string): Promise<Page> {
    const page = await ctx.newPage();
    await page.goto(`${caddy.siteUrl}/`);
    await mountWidget(page, await server.token(userId), { server: caddy.serverUrl, 'video-resolution': '360p', 'muted-tones': '' });
    return page;
  }

  test('the widget loads over https into another https origin and a call connects over wss', async () => {
    const ctx = await newContext(browser);
    const a = await onSite(ctx, 'tls-a');
    const b = await onSite(ctx, 'tls-b');
    assert.equal(await a.evaluate(() => location.origin), caddy.siteUrl, 'the page is on the site\u2019s own https origin');
    assert.ok(await a.evaluate((url) => performance.getEntriesByType('resource').some((e) => e.name === `${url}/widget.js`), caddy.serverUrl), 'widget.js came over https from the server');
    await a.evaluate(() => document.querySelector('call-widget')!.dial('tls-b', { video: true }));
    await waitForState(b, 'incoming');
    await b.evaluate(() => document.querySelector('call-widget')!.accept({ video: true }));
    await Promise.all([waitForState(a, 'in-call'), waitForState(b, 'in-call')]);
    await Promise.all([waitForVideoFrom(a, 'tls-b', 10, 20_000), waitForVideoFrom(b, 'tls-a', 10, 20_000)]);
    // An https page may only open wss: the signaling socket went through Caddy with TLS.
    const tenantKey = server.app.services.apps.tenant(server.apps[0]!.environments.development!.appKey)!.key;
    assert.equal(server.app.services.presence.connectionsOf(tenantKey, 'tls-a').length, 1);
    await a.evaluate(() => document.querySelector('call-widget')!.hangup());
    assert.equal((await waitForEvent(b, 'call-ended')).detail.reason, 'hangup');
    await ctx.close();
  });
});
