import { after, before } from 'node:test';
import type { Browser } from 'playwright-core';
import type { BuildOptions } from '../../server/app';
import { launchBrowser } from './browser';
import { startServer, type TestServer } from './server';

/** A real server and one Chromium for the whole suite, closed after it. Read `server`/`browser` in tests. */
export function useServerAndBrowser(options: Parameters<typeof startServer>[0] & BuildOptions = {}): { readonly server: TestServer; readonly browser: Browser } {
  let server: TestServer | undefined;
  let browser: Browser | undefined;
  before(async () => {
    server = await startServer(options);
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('suite not started');
      return server;
    },
    get browser() {
      if (!browser) throw new Error('suite not started');
      return browser;
    },
  };
}
