// Debian's stock firefox-esr, driven over WebDriver BiDi by puppeteer-core (Playwright's Firefox needs its own
// patched build, which is never downloaded here). Pages are wrapped so the helpers of ./browser.ts work on them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { mountWidget, type WidgetPage } from './browser';

export const FIREFOX = process.env.FIREFOX_PATH ?? '/usr/bin/firefox-esr';

/**
 * The four prefs fake media on loopback needs (../shared/notes/platform.md): a fake camera and microphone, no
 * permission prompt, a page that counts as capturing (else Firefox gathers only its default route behind mDNS),
 * and loopback ICE candidates (the test server announces 127.0.0.1).
 */
export const FIREFOX_TEST_PREFS = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.loopback': true,
  // Offline machine: no update checks, telemetry or first-run pages knocking on closed doors.
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'browser.shell.checkDefaultBrowser': false,
  // Media elements and WebAudio may start without a user gesture (Chromium's --autoplay-policy flag does the same).
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
};

export interface FirefoxBrowser {
  browser: Browser;
  /** A new tab with the e2e page of `serverUrl` and a connected `<call-widget>`. */
  openWidget(serverUrl: string, token: string, attrs?: Record<string, string>): Promise<FirefoxPage>;
  close(): Promise<void>;
}

/** A Firefox tab behind the Playwright-shaped interface the shared helpers use. */
export class FirefoxPage implements WidgetPage {
  constructor(readonly page: Page) {}

  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg?: A): Promise<R> {
    return this.page.evaluate(fn as never, arg as never) as Promise<R>;
  }

  async waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options: { timeout?: number; polling?: number } = {}): Promise<unknown> {
    return this.page.waitForFunction(fn as never, { timeout: options.timeout ?? 15_000, polling: options.polling ?? 50 }, arg as never);
  }

  waitForTimeout(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  bringToFront(): Promise<void> {
    return this.page.bringToFront();
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

export async function launchFirefox(): Promise<FirefoxBrowser> {
  const profile = mkdtempSync(join(tmpdir(), 'cw-firefox-'));
  const browser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: FIREFOX,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: FIREFOX_TEST_PREFS,
  });
  return {
    browser,
    async openWidget(serverUrl, token, attrs = {}) {
      const page = await browser.newPage();
      page.on('pageerror', (e) => console.error('[firefox page error]', (e as Error).message));
      await page.goto(`${serverUrl}/e2e`);
      const wrapped = new FirefoxPage(page);
      await mountWidget(wrapped, token, attrs);
      return wrapped;
    },
    async close() {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
