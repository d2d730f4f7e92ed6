import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { loadable, loadLanguage, resolveStrings } from '../i18n';
import { EN, type Strings } from '../strings';

/**
 * The element's language and strings, resolved before each render (`lang`, `current`). A language still loading
 * renders in English and re-renders once it arrives; `ready` settles when the last language asked for is usable
 * (the element's `updateComplete` waits for it, so tests and integrators never observe the English stand-in).
 */
export class LanguageController implements ReactiveController {
  ready: Promise<void> = Promise.resolve();
  lang = 'en';
  current: Strings = EN;

  constructor(
    private readonly host: ReactiveControllerHost,
    /** The `lang` attribute, else the page's, else the browser's. */
    private readonly langOf: () => string,
    /** The `strings` property: the integrator's overrides. */
    private readonly overrides: () => Partial<Strings>,
  ) {
    host.addController(this);
  }

  hostUpdate(): void {
    this.lang = this.langOf();
    if (loadable(this.lang)) {
      this.ready = loadLanguage(this.lang).then(
        () => this.host.requestUpdate(),
        () => undefined, // offline chunk: English stays
      );
    }
    this.current = resolveStrings(this.lang, this.overrides());
  }
}
