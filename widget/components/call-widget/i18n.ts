import { EN, type Strings } from './strings';

/** Translations other than English load on demand: a page in one language downloads only that one. */
const LOADERS: Record<string, () => Promise<{ default: Strings }>> = {
  es: () => import('./i18n/es'),
  ar: () => import('./i18n/ar'),
};
const TABLES = new Map<string, Strings>([['en', EN]]);
const LOADING = new Map<string, Promise<void>>();
const RTL = new Set(['ar', 'he', 'fa', 'ur']);

export const SUPPORTED_LANGUAGES = ['en', ...Object.keys(LOADERS)];

/** The primary subtag of a BCP 47 tag: `es-MX` → `es`. */
function primary(lang: string | undefined): string {
  return (lang ?? '').toLowerCase().split('-')[0] ?? '';
}

/** Loads `lang`'s table if it has one that is not loaded yet; resolves once it can be used. */
export function loadLanguage(lang: string | undefined): Promise<void> {
  const code = primary(lang);
  const loader = LOADERS[code];
  if (!loader || TABLES.has(code)) return Promise.resolve();
  let pending = LOADING.get(code);
  if (!pending) {
    pending = loader().then((m) => void TABLES.set(code, m.default));
    LOADING.set(code, pending);
  }
  return pending;
}

/** Strings for `lang` (English until its table has loaded, or if there is none), with the integrator's overrides on top. */
export function resolveStrings(lang: string | undefined, overrides: Partial<Strings> = {}): Strings {
  const base = TABLES.get(primary(lang)) ?? EN;
  return {
    ...base,
    ...overrides,
    reasons: { ...base.reasons, ...overrides.reasons },
    errors: { ...base.errors, ...overrides.errors },
  };
}

export function isRtl(lang: string | undefined): boolean {
  return RTL.has(primary(lang));
}

/** A language whose table is not here yet but can be loaded (a lazy chunk). */
export function loadable(lang: string | undefined): boolean {
  const code = primary(lang);
  return LOADERS[code] !== undefined && !TABLES.has(code);
}
