import { describe, expect, it } from 'vitest';
import { TwilioError } from '@twilio/voice-sdk';
import { en } from '../src/i18n/en';
import { I18n, LANGS, interpolate, type Catalogue } from '../src/i18n/i18n';
import { ptBR } from '../src/i18n/pt-BR';
import { APP_ERROR_CODES, TWILIO_ERROR_CODES, errorKey } from '../src/phone/errors';
import { CALL_STATUSES } from '../src/api/types';

const catalogues: Record<string, Record<string, string>> = { 'pt-BR': ptBR, en };

function memoryStorage(): Storage {
  const m = new Map<string, string>();
  return {
    getItem: (k) => m.get(k) ?? null,
    setItem: (k, v) => void m.set(k, v),
    removeItem: (k) => void m.delete(k),
    clear: () => m.clear(),
    key: (i) => [...m.keys()][i] ?? null,
    get length() {
      return m.size;
    },
  };
}

/** Every code the installed voice SDK can raise, read from its generated error classes. */
function sdkErrorCodes(): number[] {
  const codes = new Set<number>();
  for (const [name, group] of Object.entries(TwilioError)) {
    if (name === 'TwilioError' || !group || typeof group !== 'object') continue;
    for (const Ctor of Object.values(group as Record<string, new () => { code: number }>)) {
      if (typeof Ctor === 'function') codes.add(new Ctor().code);
    }
  }
  return [...codes].sort();
}

describe('catalogues', () => {
  it('have exactly the same keys in every language', () => {
    const reference = Object.keys(ptBR).sort();
    for (const lang of LANGS) {
      expect(Object.keys(catalogues[lang] ?? {}).sort(), lang).toEqual(reference);
    }
  });

  it('have no empty message and keep the same placeholders across languages', () => {
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(ptBR) as Array<keyof typeof ptBR>) {
      expect(ptBR[key].trim(), key).not.toBe('');
      expect(en[key].trim(), key).not.toBe('');
      expect(placeholders(en[key]), key).toEqual(placeholders(ptBR[key]));
    }
  });

  it('explain every error code the installed voice SDK can raise, in both languages', () => {
    const codes = sdkErrorCodes();
    expect(codes.length).toBeGreaterThan(30);
    for (const code of codes) {
      expect(TWILIO_ERROR_CODES as readonly number[], `code ${code}`).toContain(code);
      for (const lang of LANGS) {
        expect(catalogues[lang]?.[`error.${code}`], `${lang} error.${code}`).toBeTruthy();
      }
    }
  });

  it('explain every listed Twilio and app error code in both languages', () => {
    for (const code of [...TWILIO_ERROR_CODES, ...APP_ERROR_CODES]) {
      for (const lang of LANGS) {
        const text = catalogues[lang]?.[errorKey(code)];
        expect(text, `${lang} ${errorKey(code)}`).toBeTruthy();
      }
    }
    // The ones users meet most, named in the product brief.
    for (const code of [31208, 31401, 31402, 20101, 20103, 20104, 20105, 20107, 31202, 31204, 31205, 31207, 31005, 31000, 31003, 31009, 53000, 31105, 31486, 31480]) {
      expect(TWILIO_ERROR_CODES as readonly number[]).toContain(code);
    }
  });

  it('label every call status', () => {
    for (const s of CALL_STATUSES) expect(ptBR).toHaveProperty(`status.${s}`);
  });

  it('are different languages (not a copy)', () => {
    const same = Object.keys(ptBR).filter(
      (k) => ptBR[k as keyof typeof ptBR] === en[k as keyof typeof ptBR],
    );
    // Brand names and examples may coincide; most text must not.
    expect(same.length).toBeLessThan(Object.keys(ptBR).length / 10);
  });
});

describe('I18n', () => {
  const source = { fallback: ptBR as Catalogue, load: { en: async () => en } };

  it('defaults to Portuguese and interpolates', () => {
    const i18n = new I18n(source, memoryStorage());
    expect(i18n.lang.get()).toBe('pt-BR');
    expect(i18n.t('calls.total', { count: 3 })).toBe('3 chamadas');
    expect(i18n.t('calls.totalOne', { count: 1 })).toBe('1 chamada');
  });

  it('switches language, loading the catalogue, and persists the choice', async () => {
    const storage = memoryStorage();
    const i18n = new I18n(source, storage);
    await i18n.setLang('en');
    expect(i18n.t('calls.total', { count: 3 })).toBe('3 calls');
    expect(storage.getItem('ramal.lang')).toBe('en');
    const again = new I18n(source, storage);
    expect(again.storedChoice()).toBe('en');
    expect(again.hasChoice()).toBe(true);
  });

  it('does not persist a server-suggested language', async () => {
    const storage = memoryStorage();
    const i18n = new I18n(source, storage);
    await i18n.setLang('en', false);
    expect(i18n.lang.get()).toBe('en');
    expect(i18n.hasChoice()).toBe(false);
  });

  it('stays in the current language when a catalogue cannot load', async () => {
    const i18n = new I18n({ fallback: ptBR, load: { en: () => Promise.reject(new Error('offline')) } });
    await i18n.setLang('en');
    expect(i18n.lang.get()).toBe('pt-BR');
  });

  it('formats durations', () => {
    const i18n = new I18n(source);
    expect(i18n.duration(0)).toBe('0:00');
    expect(i18n.duration(65)).toBe('1:05');
    expect(i18n.duration(3723)).toBe('1:02:03');
    expect(i18n.duration(null)).toBe('');
  });

  it('interpolate leaves unknown placeholders visible', () => {
    expect(interpolate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});
