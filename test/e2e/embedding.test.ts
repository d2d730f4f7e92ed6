import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { newContext } from '../support/browser';
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
    // The second instance is Spanish; both work independently: one calls the other on the same page.
    assert.match(await page.locator('#two [part~="dial-video"]').innerText(), /Videollamada/);
    await page.evaluate(() => document.querySelector<HTMLElement & { dial(u: string, o: object): Promise<void> }>('#one')!.dial('cms-two', { video: false }));
    await page.waitForFunction(() => document.getElementById('two')?.getAttribute('state') === 'incoming', undefined, { polling: 50 });
    await page.locator('#two [part~="accept"]').click();
    await page.waitForFunction(() => ['one', 'two'].every((i) => document.getElementById(i)?.getAttribute('state') === 'in-call'), undefined, { polling: 50 });
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
});
