import '../../widget/call-widget';
import { ME, SimulatedEngine, sampleCall } from '../../demo/simulator';
import { presentStory, STORIES } from '../../demo/stories';
import type { CallWidget } from '../../widget/call-widget';
import { assert, equal, mount, part, settled, waitFor } from './helpers';

interface AxeResult {
  violations: { id: string; impact: string; description: string; nodes: { html: string }[] }[];
}
declare global {
  interface Window {
    axe?: { run(context: Element, options?: unknown): Promise<AxeResult> };
  }
}

async function loadAxe(): Promise<void> {
  if (window.axe) return;
  await new Promise<void>((resolve, reject) => {
    const script = document.createElement('script');
    script.src = '/node_modules/axe-core/axe.min.js';
    script.onload = () => resolve();
    script.onerror = () => reject(new Error('axe-core did not load'));
    document.head.append(script);
  });
}

/** axe-core over the element (it follows into the shadow root); every violation is a failure. */
async function expectNoViolations(el: CallWidget, story: string): Promise<void> {
  await loadAxe();
  const result = await window.axe!.run(el, { resultTypes: ['violations'] });
  const details = result.violations.map((v) => `${v.id} (${v.impact}): ${v.description} — ${v.nodes.map((n) => n.html).join(' | ')}`);
  equal(details.length, 0, `${story}: ${details.join('\n')}`);
}

describe('<call-widget> states (the demo\'s stories) are accessible (axe-core, 0 violations)', () => {
  afterEach(() => document.querySelectorAll('call-widget').forEach((el) => el.remove()));

  for (const theme of ['dark', 'light'] as const) {
    for (const story of STORIES) {
      it(`${story.group} / ${story.title} — ${theme}`, async () => {
        const el = mount();
        el.theme = theme;
        el.style.height = '480px';
        presentStory(el, story, () => new MediaStream());
        await settled(el);
        await expectNoViolations(el, `${story.title} (${theme})`);
      });
    }
  }

  it('right-to-left: lang="ar" mirrors the layout and translates every label', async () => {
    const el = mount();
    el.setAttribute('lang', 'ar');
    el.useEngine(new SimulatedEngine({ status: 'incoming', me: ME, call: sampleCall() }));
    await settled(el);
    equal(part(el, 'panel')!.getAttribute('dir'), 'rtl', 'dir');
    assert(part(el, 'decline')!.textContent!.includes('رفض'), 'Arabic label');
    await expectNoViolations(el, 'incoming (ar)');
  });

  it('the strings property overrides any text', async () => {
    const el = mount();
    el.strings = { decline: 'Not now' };
    el.useEngine(new SimulatedEngine({ status: 'incoming', me: ME, call: sampleCall() }));
    await settled(el);
    equal(part(el, 'decline')!.textContent!.trim(), 'Not now');
  });

  it('ringing moves focus to accept and announces the caller; hanging up restores focus', async () => {
    const before = document.createElement('button');
    before.textContent = 'page button';
    document.body.append(before);
    before.focus();
    const el = mount();
    const engine = new SimulatedEngine({ status: 'idle', me: ME }, [], 10);
    el.useEngine(engine);
    await settled(el);
    engine.apply({ type: 'incoming', call: sampleCall() });
    await settled(el);
    equal(el.shadowRoot!.activeElement, part(el, 'accept'), 'focus on accept');
    const live = el.shadowRoot!.querySelector('[aria-live]')!;
    assert(live.textContent!.includes('Incoming call from Bob'), `announced: ${live.textContent}`);
    await engine.decline();
    await waitFor(() => el.state === 'ended');
    await settled(el);
    equal(document.activeElement, before, 'focus restored');
    before.remove();
  });
});
