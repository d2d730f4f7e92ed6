import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';
import { puppeteerLauncher } from '@web/test-runner-puppeteer';

// Component tests in Debian's chromium and Debian's firefox-esr (never a downloaded browser). Chromium over CDP
// (--no-sandbox: CI runs as root); Firefox over WebDriver BiDi through Puppeteer, with fake-media prefs.
const firefoxPrefs = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.loopback': true,
  // The microphone meter uses WebAudio: let an AudioContext start without a user gesture, as Chromium's
  // --autoplay-policy flag does for the e2e pages.
  'media.autoplay.default': 0,
  'media.autoplay.block-webaudio': false,
  'app.update.enabled': false,
  'datareporting.policy.dataSubmissionEnabled': false,
};

export default {
  files: ['test/components/**/*.test.ts'],
  nodeResolve: true,
  plugins: [esbuildPlugin({ ts: true, target: 'es2022', tsconfig: 'tsconfig.json' })],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream'],
      },
    }),
    puppeteerLauncher({
      launchOptions: { browser: 'firefox', executablePath: process.env.FIREFOX_PATH || '/usr/bin/firefox-esr', headless: true, extraPrefsFirefox: firefoxPrefs },
      concurrency: 1,
    }),
  ],
  testFramework: { config: { timeout: 10000 } },
  concurrency: 1,
};
