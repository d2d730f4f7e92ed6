import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newContext, openWidget } from '../support/browser';
import { useServerAndBrowser } from '../support/suite';

/** The script-tag and CMS paths: attributes only, several instances, script before or after the element. */
describe('embedding', () => {
  const env = useServerAndBrowser();

  test('token-url, two instances on one page, and the script loaded after the elements', async () => {
    const ctx = await newContext(env.browser);
    const page = await ctx.newPage();
    const html = `<!doctype html><html lang="en"><body>
      <call-widget id="one" token-url="/e2e/token/cms-one"></call-widget>
      <call-widget id="two" token-url="/e2e/token/cms-two" lang="es"></call-widget>
      <script type="module" src="/widget.js"></script></body></html>`;
    await page.goto(`${env.server.url}/e2e/raw?html=${encodeURIComponent(html)}`);
    for (const id of ['one', 'two']) {
      await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'idle', id, { polling: 50, timeout: 15_000 });
    }
    // The second instance is Spanish (its table loads on demand; updateComplete includes it); both work
    // independently: one calls the other on the same page.
    await page.evaluate(() => (document.getElementById('two') as HTMLElement & { updateComplete: Promise<unknown> }).updateComplete);
    assert.match(await page.locator('#two [part~="dial-video"]').innerText(), /Videollamada/);
    await page.evaluate(() => document.querySelector<HTMLElement & { dial(u: string, o: object): Promise<void> }>('#one')!.dial('cms-two', { video: false }));
    await page.waitForFunction(() => document.getElementById('two')?.getAttribute('state') === 'incoming', undefined, { polling: 50 });
    await page.locator('#two [part~="accept"]').click();
    await page.waitForFunction(() => ['one', 'two'].every((i) => document.getElementById(i)?.getAttribute('state') === 'in-call'), undefined, { polling: 50 });
    await ctx.close();
  });

  test('the demo and live pages run under their Content-Security-Policy: no violation, a call on /live, videos in the stories', async () => {
    const ctx = await newContext(env.browser);
    await ctx.addInitScript(() => {
      const w = window as unknown as { violations: string[] };
      w.violations = [];
      document.addEventListener('securitypolicyviolation', (e) => w.violations.push(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const violations = (page: { evaluate<R>(fn: () => R): Promise<R> }) => page.evaluate(() => (window as unknown as { violations: string[] }).violations);
    const live = await ctx.newPage();
    const response = await live.goto(`${env.server.url}/live`);
    assert.match((await response?.allHeaders())?.['content-security-policy'] ?? '', /script-src 'self' 'sha256-/);
    const state = (id: string) => live.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'idle', id, { polling: 50, timeout: 15_000 });
    await state('a');
    await state('b');
    type W = HTMLElement & { dial(u: string, o: object): Promise<void>; accept(o: object): Promise<void> };
    await live.evaluate(() => document.querySelector<W>('#a')!.dial('bob', { video: true }));
    await live.waitForFunction(() => document.getElementById('b')?.getAttribute('state') === 'incoming', undefined, { polling: 50 });
    await live.evaluate(() => document.querySelector<W>('#b')!.accept({ video: true }));
    await live.waitForFunction(
      () => ['a', 'b'].every((id) => [...(document.getElementById(id)?.shadowRoot?.querySelectorAll('video') ?? [])].some((v) => v.videoWidth > 0 && !v.paused)),
      undefined,
      { polling: 100, timeout: 20_000 },
    );
    assert.deepEqual(await violations(live), []);
    const stories = await ctx.newPage();
    await stories.goto(`${env.server.url}/#grid-4`);
    await stories.waitForFunction(
      () => [...(document.querySelector('call-widget')?.shadowRoot?.querySelectorAll('video') ?? [])].filter((v) => v.videoWidth > 0).length >= 2,
      undefined,
      { polling: 100, timeout: 15_000 },
    );
    assert.deepEqual(await violations(stories), []);
    await ctx.close();
  });

  test('a failing token-url reports call-error instead of hanging', async () => {
    const ctx = await newContext(env.browser);
    const page = await ctx.newPage();
    const html = `<!doctype html><html lang="en"><body><script type="module" src="/widget.js"></script>
      <call-widget token-url="/nope"></call-widget>
      <script>window.errors = []; document.querySelector('call-widget').addEventListener('call-error', (e) => errors.push(e.detail));</script></body></html>`;
    await page.goto(`${env.server.url}/e2e/raw?html=${encodeURIComponent(html)}`);
    await page.waitForFunction(() => (window as unknown as { errors: unknown[] }).errors.length > 0, undefined, { polling: 50 });
    const errors = (await page.evaluate(() => (window as unknown as { errors: { code: string; message: string }[] }).errors));
    assert.equal(errors[0]?.code, 'not_configured');
    assert.match(errors[0]!.message, /404/);
    await ctx.close();
  });

  test('another origin, only the script tag and launchers: a call is received and answered with the keyboard alone', async () => {
    const ctx = await newContext(env.browser);
    // The page lives on http://localhost:PORT; the widget and its server on http://127.0.0.1:PORT.
    const pageOrigin = env.server.url.replace('127.0.0.1', 'localhost');
    const html = `<!doctype html><html lang="en"><body><h1>A shop</h1><a href="#">first link</a>
      <script type="module" src="${env.server.url}/widget.js"></script>
      <call-widget id="one" mode="launcher" token-url="/e2e/token/shop-one"></call-widget>
      <call-widget id="two" mode="launcher" position="bottom-left" token-url="/e2e/token/shop-two"></call-widget></body></html>`;
    const page = await ctx.newPage();
    await page.goto(`${pageOrigin}/e2e/raw?html=${encodeURIComponent(html)}`);
    assert.notEqual(new URL(page.url()).origin, new URL(env.server.url).origin);
    for (const id of ['one', 'two']) await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'idle', id, { polling: 50, timeout: 15_000 });
    assert.equal(await page.locator('#one [part~="panel"]').isVisible(), false, 'the launcher starts closed');

    const caller = await openWidget(ctx, env.server.url, await env.server.token('shop-caller'));
    for (const [id, user] of [['one', 'shop-one'], ['two', 'shop-two']] as const) {
      await caller.evaluate((u) => document.querySelector('call-widget')!.dial(u, { video: false }), user);
      await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'incoming', id, { polling: 50 });
      await page.bringToFront();
      // The ring opened the panel and put the focus on "accept": Enter answers.
      await page.locator(`#${id} [part~="panel"]`).waitFor({ state: 'visible' });
      await page.waitForFunction((i) => document.getElementById(i)?.shadowRoot?.activeElement?.getAttribute('part')?.includes('accept') === true, id, { polling: 50 });
      await page.keyboard.press('Enter');
      await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'in-call', id, { polling: 50 });
      // Hang up with the keyboard too: focus went to "hang up".
      await page.waitForFunction((i) => document.getElementById(i)?.shadowRoot?.activeElement?.getAttribute('part')?.includes('hangup') === true, id, { polling: 50 });
      await page.keyboard.press('Enter');
      await page.waitForFunction((i) => document.getElementById(i)?.getAttribute('state') === 'ended', id, { polling: 50 });
      await page.keyboard.press('Escape');
      await page.locator(`#${id} [part~="panel"]`).waitFor({ state: 'hidden' });
      await caller.evaluate(() => document.querySelector('call-widget')!.shadowRoot!.querySelector<HTMLElement>('[part~="dismiss"]')?.click());
      await caller.waitForFunction(() => document.querySelector('call-widget')?.getAttribute('state') === 'idle', undefined, { polling: 50 });
    }
    await ctx.close();
  });
});
