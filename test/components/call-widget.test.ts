import '../../widget/call-widget';
import { ME, SimulatedEngine, sampleCall } from '../../demo/simulator';
import { recentCallsSample } from '../../demo/stories';
import type { CallEndedDetail, CallIncomingDetail } from '../../widget/components/call-widget/events';
import { assert, equal, mount, part, settled, waitFor } from './helpers';

describe('<call-widget>', () => {
  afterEach(() => document.querySelectorAll('call-widget').forEach((el) => el.remove()));

  it('is defined and waits for a token without one', async () => {
    const el = mount();
    await settled(el);
    assert(customElements.get('call-widget'), 'tag defined');
    equal(el.getAttribute('state'), 'disconnected', 'state attribute');
    assert(part(el, 'status')?.textContent?.includes('Waiting for a token'), 'says it waits for a token');
  });

  it('shows a typed connection error when the server refuses', async () => {
    const el = mount();
    const errors: string[] = [];
    el.addEventListener('call-error', (e) => errors.push(e.detail.code));
    el.server = 'http://127.0.0.1:9'; // nothing listens on the discard port
    el.token = 'not-a-token';
    await waitFor(() => errors.length > 0);
    equal(errors[0], 'connection_closed', 'error code');
    equal(el.state, 'disconnected', 'state');
  });

  it('bundled into an app without `server`: a token gives call-error not_configured instead of connecting to the page origin', async () => {
    const el = mount();
    const errors: { code: string; message: string }[] = [];
    el.addEventListener('call-error', (e) => errors.push(e.detail));
    el.token = 'TOKEN_FROM_YOUR_BACKEND';
    await waitFor(() => errors.length > 0);
    equal(errors[0]?.code, 'not_configured', 'error code');
    assert(errors[0]?.message.includes('server'), 'the message names the missing attribute');
    equal(el.state, 'disconnected', 'no connection attempt');
  });

  it('renders the dialer when idle and dials through the engine', async () => {
    const el = mount();
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    el.useEngine(engine);
    await settled(el);
    const input = el.shadowRoot!.querySelector('input')!;
    input.value = 'bob';
    (part(el, 'dial-audio') as HTMLButtonElement).click();
    await waitFor(() => el.state === 'outgoing');
    await settled(el);
    assert(part(el, 'status')?.textContent?.includes('Calling bob'), 'shows who is being called');
    assert(part(el, 'cancel'), 'offers cancel');
    equal(el.getAttribute('state'), 'outgoing', 'reflected state');
  });

  it('shows an incoming call with accept, audio-only and decline, and fires call-incoming', async () => {
    const el = mount();
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    el.useEngine(engine);
    const incoming: CallIncomingDetail[] = [];
    el.addEventListener('call-incoming', (e) => incoming.push(e.detail));
    engine.apply({ type: 'incoming', call: sampleCall() });
    await settled(el);
    equal(incoming[0]?.caller.name, 'Bob', 'event detail caller');
    assert(part(el, 'status')?.textContent?.includes('Bob is video calling you'), 'caller name shown');
    assert(part(el, 'accept') && part(el, 'accept-audio') && part(el, 'decline'), 'three choices');
    const ended: CallEndedDetail[] = [];
    el.addEventListener('call-ended', (e) => ended.push(e.detail));
    (part(el, 'decline') as HTMLButtonElement).click();
    await waitFor(() => ended.length === 1);
    equal(ended[0]?.reason, 'declined', 'reason');
    await settled(el);
    assert(part(el, 'status')?.textContent?.includes('declined'), 'reason in words');
  });

  it('in a call shows remote tiles with mute indicators, a timer and working toggles', async () => {
    const el = mount();
    const engine = new SimulatedEngine({ status: 'in-call', me: ME, activity: { kind: 'call', id: 'c', video: true, connectedAt: Date.now() - 65_000 } }, [
      { userId: 'bob', name: 'Bob', stream: new MediaStream(), hasAudio: true, hasVideo: true, micMuted: true, cameraOff: false, speaking: false },
    ]);
    el.useEngine(engine);
    await settled(el);
    const tile = part(el, 'tile')!;
    equal(tile.dataset.userId, 'bob', 'tile for bob');
    assert(part(el, 'mute-indicator'), 'remote mute shown');
    assert(part(el, 'timer')?.textContent?.startsWith('1:0'), `timer shows ~1:05, got ${part(el, 'timer')?.textContent}`);
    const mic = part(el, 'mic') as HTMLButtonElement;
    equal(mic.getAttribute('aria-pressed'), 'false', 'mic not muted');
    mic.click();
    await settled(el);
    equal(engine.micEnabled, false, 'engine muted');
    equal((part(el, 'mic') as HTMLButtonElement).getAttribute('aria-pressed'), 'true', 'mic pressed');
  });

  it('reconnecting: a banner over the call (tiles and hang-up stay), events with the call id, back without a new "connected"', async () => {
    const el = mount();
    const bob = { userId: 'bob', name: 'Bob', stream: new MediaStream(), hasAudio: true, hasVideo: true, micMuted: false, cameraOff: false, speaking: false };
    const engine = new SimulatedEngine({ status: 'in-call', me: ME, activity: { kind: 'call', id: 'call-9', video: true, connectedAt: Date.now() } }, [bob], 10);
    const seen: string[] = [];
    for (const type of ['call-reconnecting', 'call-reconnected', 'call-connected'] as const) {
      el.addEventListener(type, (e) => seen.push(`${type}:${(e as CustomEvent<{ callId?: string }>).detail.callId ?? ''}`));
    }
    el.useEngine(engine);
    await settled(el);
    assert(!part(el, 'reconnecting'), 'no banner while connected');
    engine.apply({ type: 'connection_interrupted', at: Date.now() });
    await settled(el);
    equal(el.getAttribute('state'), 'reconnecting', 'state attribute');
    assert(part(el, 'reconnecting')?.textContent?.includes('Reconnecting'), 'banner says it is reconnecting');
    assert(part(el, 'tile'), 'the call stays on screen');
    assert(part(el, 'hangup'), 'hang-up stays available');
    engine.apply({ type: 'resumed' });
    await settled(el);
    equal(el.getAttribute('state'), 'in-call', 'back in the call');
    assert(!part(el, 'reconnecting'), 'banner gone');
    equal(seen.join(','), 'call-reconnecting:call-9,call-reconnected:call-9', 'events in order, same call, no new call-connected');
  });

  it('a poor network shows a notice during the call', async () => {
    const el = mount();
    const engine = new SimulatedEngine({ status: 'in-call', me: ME, activity: { kind: 'call', id: 'c', video: true, connectedAt: Date.now() } }, [], 10);
    el.useEngine(engine);
    await settled(el);
    assert(!part(el, 'network-warning'), 'no notice on a good network');
    engine.setNetworkQuality('poor');
    await settled(el);
    assert(part(el, 'network-warning')?.textContent?.includes('Poor connection'), 'notice shown');
  });

  it('missed calls: a badge on the recent-calls button; opening the list clears it; call back dials the same people', async () => {
    const el = mount();
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    Object.assign(engine.recent, { calls: recentCallsSample(), missedCount: 2 });
    el.useEngine(engine);
    await settled(el);
    equal(part(el, 'missed-badge')?.textContent?.trim(), '2', 'badge count');
    assert(part(el, 'recent-toggle')?.getAttribute('aria-label')?.includes('2 missed calls'), 'the count is in the accessible name');
    assert(!part(el, 'recent-calls'), 'list closed');
    (part(el, 'recent-toggle') as HTMLButtonElement).click();
    await settled(el);
    const items = el.shadowRoot!.querySelectorAll('[part~="recent-call"]');
    equal(items.length, 4, 'every recent call listed');
    equal(items[0]!.getAttribute('data-missed'), 'true', 'missed one marked');
    assert(items[0]!.textContent?.includes('Missed'), 'labelled missed');
    assert(!part(el, 'missed-badge'), 'badge cleared once seen');
    (items[3]!.querySelector('[part~="call-back"]') as HTMLButtonElement).click();
    await waitFor(() => el.state === 'outgoing');
    const s = engine.state;
    equal(s.status === 'outgoing' && s.callees.join(','), 'erin,frank', 'calls back everyone who was in it');
    equal(s.status === 'outgoing' && s.activity.video, true, 'with video, as before');
  });

  it('launcher mode: a corner button opens a panel kept on screen; a ring opens it; Escape closes it', async () => {
    const el = mount();
    el.mode = 'launcher';
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    el.useEngine(engine);
    await settled(el);
    const launcher = part(el, 'launcher') as HTMLButtonElement;
    const panel = part(el, 'panel')!;
    assert(panel.hidden, 'closed at first');
    equal(launcher.getAttribute('aria-expanded'), 'false', 'aria-expanded');
    launcher.click();
    await waitFor(() => !panel.hidden && panel.style.top !== '');
    const rect = panel.getBoundingClientRect();
    assert(rect.top >= 0 && rect.left >= 0 && rect.bottom <= innerHeight && rect.right <= innerWidth, `panel on screen: ${JSON.stringify(rect)}`);
    const button = launcher.getBoundingClientRect();
    assert(rect.bottom <= button.top, 'panel sits above the corner button');
    panel.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true, composed: true }));
    await settled(el);
    assert(panel.hidden, 'Escape closes');
    engine.apply({ type: 'incoming', call: sampleCall() });
    await waitFor(() => !panel.hidden);
    await settled(el);
    equal(el.shadowRoot!.activeElement, part(el, 'accept'), 'focus on accept inside the opened panel');
  });

  it('a ring sets the tab title until it ends; a page that cancels call-incoming gets no built-in ring UI', async () => {
    document.title = 'Shop';
    const el = mount();
    el.mutedTones = true;
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    el.useEngine(engine);
    await settled(el);
    engine.apply({ type: 'incoming', call: sampleCall() });
    await settled(el);
    assert(document.title.includes('Incoming call from Bob'), `title: ${document.title}`);
    await engine.decline();
    await settled(el);
    equal(document.title, 'Shop', 'title restored');

    engine.dismiss();
    el.addEventListener('call-incoming', (e) => e.preventDefault(), { once: true });
    engine.apply({ type: 'incoming', call: sampleCall({ callId: 'c2' }) });
    await settled(el);
    equal(el.state, 'incoming', 'still ringing (the page answers through the API)');
    equal(part(el, 'accept'), null, 'no built-in incoming UI');
    equal(document.title, 'Shop', 'no title change either');
    await el.accept({ video: false });
    await waitFor(() => el.state === 'in-call');
  });
});
