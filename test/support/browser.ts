import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import type { MediaStats } from '../../widget/call/engine';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Debian chromium, headless, root-safe, offline, with a fake camera (1280x720 @ 20 fps) and microphone. */
export async function launchBrowser(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--use-fake-device-for-media-stream',
      '--use-fake-ui-for-media-stream',
      '--autoplay-policy=no-user-gesture-required',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
      '--no-first-run',
      '--disable-renderer-backgrounding',
      '--disable-background-timer-throttling',
      '--disable-backgrounding-occluded-windows',
      ...extraArgs,
    ],
  });
}

export async function newContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ permissions: ['camera', 'microphone'], viewport: { width: 900, height: 700 } });
}

/**
 * What the helpers below need from a page, met by Playwright's Chromium pages and by the Firefox pages of
 * ./firefox.ts (Puppeteer over WebDriver BiDi), so every helper works in both browsers.
 */
export interface WidgetPage {
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  evaluate<R>(fn: () => R | Promise<R>): Promise<R>;
  waitForFunction<A>(fn: (arg: A) => unknown, arg: A, options?: { timeout?: number; polling?: number }): Promise<unknown>;
  waitForTimeout(ms: number): Promise<void>;
  bringToFront(): Promise<void>;
}

/** Opens the e2e page with one `<call-widget>` (id `w`) connected with `token`; waits until it is connected. */
export async function openWidget(context: BrowserContext, serverUrl: string, token: string, attrs: Record<string, string> = {}): Promise<Page> {
  const page = await context.newPage();
  page.on('pageerror', (e) => console.error('[page error]', e.message));
  await page.goto(`${serverUrl}/e2e`);
  await mountWidget(page, token, attrs);
  return page;
}

/** Puts one `<call-widget>` (id `w`) into an open e2e page, records its events, and waits until it is connected. */
export async function mountWidget(page: WidgetPage, token: string, attrs: Record<string, string> = {}): Promise<void> {
  await page.waitForFunction(() => customElements.get('call-widget') !== undefined, undefined);
  await page.evaluate(
    ({ token, attrs }) => {
      const w = document.createElement('call-widget');
      w.id = 'w';
      for (const [k, v] of Object.entries(attrs)) w.setAttribute(k, v);
      (window as unknown as { events: { type: string; detail: unknown }[] }).events = [];
      for (const type of ['call-incoming', 'call-outgoing', 'call-connected', 'call-ended', 'call-error', 'call-state-change', 'call-reconnecting', 'call-reconnected', 'call-token-expiring']) {
        w.addEventListener(type, (e) => (window as unknown as { events: unknown[] }).events.push({ type, detail: (e as CustomEvent).detail }));
      }
      w.style.height = '480px';
      document.body.append(w);
      w.token = token;
    },
    { token, attrs },
  );
  // Connected: idle, or already joining when a `room` attribute auto-joins.
  await page.waitForFunction(() => !['disconnected', 'connecting', null].includes(document.querySelector('call-widget')!.getAttribute('state')), undefined, { polling: 50, timeout: 15_000 });
}

export async function waitForState(page: WidgetPage, state: string, timeout = 15_000): Promise<void> {
  await page.waitForFunction((s) => document.querySelector('call-widget')?.getAttribute('state') === s, state, { timeout, polling: 50 });
}

export interface RecordedEvent {
  type: string;
  detail: Record<string, unknown>;
}

export async function events(page: WidgetPage, type?: string): Promise<RecordedEvent[]> {
  const all = await page.evaluate(() => (window as unknown as { events: RecordedEvent[] }).events);
  return type ? all.filter((e) => e.type === type) : all;
}

export async function waitForEvent(page: WidgetPage, type: string, timeout = 15_000): Promise<RecordedEvent> {
  await page.waitForFunction((t) => (window as unknown as { events: RecordedEvent[] }).events.some((e) => e.type === t), type, { timeout, polling: 50 });
  const found = (await events(page, type)).at(-1);
  if (!found) throw new Error(`no ${type}`);
  return found;
}

/** Media stats through the element's public getStats(). */
export async function stats(page: WidgetPage): Promise<MediaStats> {
  return page.evaluate(() => document.querySelector('call-widget')!.getStats());
}

/**
 * Polls `fn` in the page until it returns something truthy. Unlike page.waitForFunction, it awaits async
 * predicates (waitForFunction treats the returned Promise itself as truthy and returns at once).
 */
export async function waitUntil<A>(page: WidgetPage, fn: (arg: A) => unknown, arg: A, what: string, timeout = 15_000): Promise<void> {
  const deadline = Date.now() + timeout;
  let last: unknown;
  while (Date.now() < deadline) {
    last = await page.evaluate(fn as never, arg as never);
    if (last) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out after ${timeout} ms waiting for ${what}`);
}

/** Waits until the video from `userId` has decoded more than `min` frames and has a size. */
export async function waitForVideoFrom(page: WidgetPage, userId: string, min = 10, timeout = 15_000): Promise<void> {
  await waitUntilOrDescribe(
    page,
    async ({ userId, min }) => {
      const w = document.querySelector('call-widget')!;
      const s = await w.getStats();
      const video = w.shadowRoot?.querySelector(`[part~="tile"][data-user-id="${userId}"] video`) as HTMLVideoElement | null;
      return (s.framesDecoded[userId] ?? 0) > min && (video?.videoWidth ?? 0) > 0;
    },
    { userId, min },
    `more than ${min} decoded frames from ${userId}`,
    timeout,
  );
}

/** waitUntil, and on timeout the page's receive stats in the error (what a failure report needs). */
async function waitUntilOrDescribe<A>(page: WidgetPage, fn: (arg: A) => unknown, arg: A, what: string, timeout: number): Promise<void> {
  try {
    await waitUntil(page, fn, arg, what, timeout);
  } catch (error) {
    const s = await stats(page).catch(() => undefined);
    const state = await page.evaluate(() => document.querySelector('call-widget')?.getAttribute('state')).catch(() => undefined);
    throw new Error(`${(error as Error).message}; state ${state}; stats ${JSON.stringify(s)}`, { cause: error });
  }
}

/** Waits until more than `min` audio RTP packets from `userId` arrived. */
export async function waitForAudioFrom(page: WidgetPage, userId: string, min = 10, timeout = 15_000): Promise<void> {
  await waitUntil(
    page,
    async ({ userId, min }) => ((await document.querySelector('call-widget')!.getStats()).audioPacketsReceived[userId] ?? 0) > min,
    { userId, min },
    `more than ${min} audio packets from ${userId}`,
    timeout,
  );
}

/** Keeps every RTCPeerConnection the page creates, so a test can read what the browser really negotiated. */
const RECORD_PEER_CONNECTIONS = `
  (() => {
    const Native = window.RTCPeerConnection;
    window.peerConnections = [];
    window.RTCPeerConnection = class extends Native {
      constructor(...args) {
        super(...args);
        window.peerConnections.push(this);
      }
    };
  })();`;

export interface SelectedPath {
  srtpCipher?: string;
  dtlsState?: string;
  localProtocol?: string;
  /** `host`, `srflx`, `prflx` or `relay` (through TURN). */
  localCandidateType?: string;
  remotePort?: number;
  /** Every local candidate type this connection gathered. */
  gatheredTypes: string[];
}

/** For each connected peer connection: the transport's SRTP cipher and the selected pair's protocol and port. */
export async function selectedPaths(page: Page): Promise<SelectedPath[]> {
  return page.evaluate(async () => {
    const paths = [];
    for (const pc of (window as unknown as { peerConnections: RTCPeerConnection[] }).peerConnections) {
      if (pc.connectionState !== 'connected') continue;
      const report = await pc.getStats();
      const all = [...report.values()] as Record<string, unknown>[];
      const transport = all.find((s) => s.type === 'transport');
      const pair = all.find((s) => s.type === 'candidate-pair' && s.id === transport?.selectedCandidatePairId);
      const local = all.find((s) => s.id === pair?.localCandidateId);
      const remote = all.find((s) => s.id === pair?.remoteCandidateId);
      const gatheredTypes = [...new Set(all.filter((s) => s.type === 'local-candidate').map((s) => String(s.candidateType)))];
      paths.push({ srtpCipher: transport?.srtpCipher as string, dtlsState: transport?.dtlsState as string, localProtocol: local?.protocol as string, localCandidateType: local?.candidateType as string, remotePort: remote?.port as number, gatheredTypes });
    }
    return paths;
  });
}

/** From now on, every page of `ctx` records its peer connections (for selectedPaths). */
export async function recordPeerConnections(ctx: BrowserContext): Promise<void> {
  await ctx.addInitScript(RECORD_PEER_CONNECTIONS);
}
