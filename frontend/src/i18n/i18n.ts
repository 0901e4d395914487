// Translation: catalogue lookup with {name} placeholders, the chosen language persisted in
// localStorage, and locale-aware formatting of dates and durations.
import { Store } from '../util/store';
import type { MessageKey } from './keys';

export type Lang = 'pt-BR' | 'en';
export const LANGS: readonly Lang[] = ['pt-BR', 'en'];
export const DEFAULT_LANG: Lang = 'pt-BR';

export type Catalogue = Record<MessageKey, string>;
export type Params = Record<string, string | number>;
export type Translate = (key: MessageKey, params?: Params) => string;

const STORAGE_KEY = 'ramal.lang';

/** Replaces `{name}` with params.name; unknown placeholders stay visible. */
export function interpolate(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (all, name: string) =>
    name in params ? String(params[name]) : all,
  );
}

export function isLang(value: unknown): value is Lang {
  return typeof value === 'string' && (LANGS as readonly string[]).includes(value);
}

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** Catalogues at hand, and loaders for the others (only the default ships in the main chunk). */
export interface CatalogueSource {
  /** The default language's catalogue (always present). */
  fallback: Catalogue;
  loaded?: Partial<Record<Lang, Catalogue>>;
  load?: Partial<Record<Lang, () => Promise<Catalogue>>>;
}

export class I18n {
  readonly lang: Store<Lang>;
  readonly #catalogues: Partial<Record<Lang, Catalogue>>;
  readonly #fallback: Catalogue;
  readonly #load: Partial<Record<Lang, () => Promise<Catalogue>>>;
  readonly #storage: StorageLike | null;

  constructor(source: CatalogueSource, storage: StorageLike | null = null) {
    this.#catalogues = { [DEFAULT_LANG]: source.fallback, ...source.loaded };
    this.#fallback = source.fallback;
    this.#load = source.load ?? {};
    this.#storage = storage;
    // Until a stored choice's catalogue is loaded (see ready()), the default language shows.
    this.lang = new Store<Lang>(DEFAULT_LANG);
  }

  /** The language chosen earlier in this browser, if any. */
  storedChoice(): Lang | null {
    const stored = this.#storage?.getItem(STORAGE_KEY);
    return isLang(stored) ? stored : null;
  }

  /** Loads the catalogue of `lang` if needed. */
  async ensure(lang: Lang): Promise<void> {
    if (this.#catalogues[lang]) return;
    const load = this.#load[lang];
    if (!load) throw new Error(`no catalogue for ${lang}`);
    this.#catalogues[lang] = await load();
  }

  /** Whether the user chose a language (else the server's default may apply). */
  hasChoice(): boolean {
    return this.storedChoice() != null;
  }

  /** Switches language (loading its catalogue first); `persist` saves the choice. */
  async setLang(lang: Lang, persist = true): Promise<void> {
    if (persist) this.#storage?.setItem(STORAGE_KEY, lang);
    try {
      await this.ensure(lang);
    } catch {
      return; // catalogue chunk unavailable (offline): stay in the current language
    }
    this.lang.set(lang);
    if (typeof document !== 'undefined') document.documentElement.lang = lang;
  }

  t: Translate = (key, params) => {
    const text = this.#catalogues[this.lang.get()]?.[key] ?? this.#fallback[key];
    return interpolate(text ?? key, params);
  };

  /** Date and time of an ISO timestamp, short form. */
  dateTime(iso: string | null | undefined): string {
    if (!iso) return '';
    const d = new Date(iso);
    if (Number.isNaN(d.getTime())) return iso;
    return new Intl.DateTimeFormat(this.lang.get(), {
      dateStyle: 'short',
      timeStyle: 'short',
    }).format(d);
  }

  /** "1:05", "1:02:03". */
  duration(seconds: number | null | undefined): string {
    if (seconds == null || !Number.isFinite(seconds)) return '';
    const s = Math.max(0, Math.floor(seconds));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const ss = String(s % 60).padStart(2, '0');
    return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
  }

  count(n: number): string {
    return new Intl.NumberFormat(this.lang.get()).format(n);
  }
}
