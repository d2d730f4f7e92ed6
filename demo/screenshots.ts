// `npm run demo:screenshots`: renders every story (light and dark page + widget theme, plus every story in
// Arabic right-to-left) to PNG files in demo/screenshots/ for design review. Needs `npm run build` first.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, newContext } from '../test/support/browser';
import { startServer } from '../test/support/server';
import { STORIES } from './stories';

const out = join(import.meta.dirname, 'screenshots');
mkdirSync(out, { recursive: true });
const server = await startServer();
const browser = await launchBrowser();
const page = await (await newContext(browser)).newPage();
await page.setViewportSize({ width: 1100, height: 720 });
const variants = [
  { name: 'light', query: 'theme=light&page=light&lang=en' },
  { name: 'dark', query: 'theme=dark&page=dark&lang=en' },
  { name: 'rtl', query: 'theme=light&page=light&lang=ar' },
];
let count = 0;
for (const story of STORIES) {
  for (const v of variants) {
    await page.goto(`${server.url}/#${story.id}?${v.query}`);
    await page.waitForFunction(() => document.querySelector('call-widget')?.shadowRoot?.querySelector('[part~="panel"]') !== null);
    await page.evaluate(() => document.querySelector('call-widget')!.updateComplete); // its language too
    await page.waitForTimeout(150); // let the fake videos paint a frame
    await page.locator('#stage').screenshot({ path: join(out, `${story.id}.${v.name}.png`) });
    count += 1;
  }
}
console.log(`wrote ${count} screenshots to ${out}`);
await browser.close();
await server.close();
