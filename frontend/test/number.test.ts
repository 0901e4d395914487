import { describe, expect, it } from 'vitest';
import {
  cleanPasted,
  formatInternational,
  formatNumber,
  isHiddenNumber,
  normalizeNumber,
} from '../src/phone/number';

const br = (input: string) => normalizeNumber(input, '55');

describe('normalizeNumber, Brazil', () => {
  it.each([
    ['31 99999-9999', '+5531999999999'],
    ['(31) 99999-9999', '+5531999999999'],
    ['31999999999', '+5531999999999'],
    ['031 99999 9999', '+5531999999999'], // trunk prefix 0
    ['0 21 31 99999-9999', '+5531999999999'], // carrier selection code (Embratel 21)
    ['+55 31 99999-9999', '+5531999999999'],
    ['55 31 99999 9999', '+5531999999999'], // country code without +
    ['+55 (31) 3333-4444', '+553133334444'], // landline
    ['(11) 3333.4444', '+551133334444'],
    ['31 9999-9999', '+5531999999999'], // mobile written before the 9th digit
    ['+55 31 8888-7777', '+5531988887777'],
    ['0800 123 4567', '+558001234567'], // toll free
    ['tel:+55-31-99999-9999', '+5531999999999'],
    ['55 99999-9999', '+5555999999999'], // DDD 55 (Santa Maria) is a real area code
  ])('%s -> %s', (input, e164) => {
    expect(br(input)).toEqual({ ok: true, e164 });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['99999-9999', 'missing-area-code'],
    ['3333-4444', 'missing-area-code'],
    ['20 99999-9999', 'area-code'], // 20 is not a DDD
    ['31 89999-9999', 'invalid'], // 9 digits not starting with 9
    ['31 1333-4444', 'invalid'], // 8 digits starting with 1
    ['1234', 'too-short'],
    ['31 99999-99999', 'too-long'],
    ['31 ABC-DEFG', 'invalid-chars'],
    ['+1 2', 'too-short'],
    ['+1234567890123456', 'too-long'],
  ])('%s is rejected (%s)', (input, problem) => {
    expect(br(input)).toEqual({ ok: false, problem });
  });

  it('dials abroad with 00 + carrier + country code', () => {
    expect(br('00 21 1 212 555 1234')).toEqual({ ok: true, e164: '+12125551234' });
  });

  it('keeps foreign E.164 numbers as typed', () => {
    expect(br('+44 20 7946 0958')).toEqual({ ok: true, e164: '+442079460958' });
    expect(br('+1 (212) 555-1234')).toEqual({ ok: true, e164: '+12125551234' });
  });
});

describe('normalizeNumber, other default countries', () => {
  it('prefixes the country code and drops a trunk 0 (UK)', () => {
    expect(normalizeNumber('020 7946 0958', '44')).toEqual({ ok: true, e164: '+442079460958' });
    expect(normalizeNumber('07911 123456', '44')).toEqual({ ok: true, e164: '+447911123456' });
  });

  it('recognises numbers already carrying the country code (US)', () => {
    expect(normalizeNumber('(212) 555-1234', '1')).toEqual({ ok: true, e164: '+12125551234' });
    expect(normalizeNumber('1 212 555 1234', '1')).toEqual({ ok: true, e164: '+12125551234' });
  });

  it('uses 00 as the international prefix outside Brazil', () => {
    expect(normalizeNumber('00 55 31 99999 9999', '351')).toEqual({
      ok: true,
      e164: '+5531999999999',
    });
  });

  it('applies Brazilian rules to +55 numbers whatever the default', () => {
    expect(normalizeNumber('+55 20 99999 9999', '1')).toEqual({ ok: false, problem: 'area-code' });
  });
});

describe('cleanPasted', () => {
  it.each([
    ['Tel: +55 (31) 99999-9999', '+5531999999999'],
    ['tel:+5531999999999', '+5531999999999'],
    ['  (31) 99999‑9999 ', '31999999999'],
    ['+1 (212) 555-1234 ext', '+12125551234'],
    ['abc', ''],
  ])('%s -> %s', (text, out) => {
    expect(cleanPasted(text)).toBe(out);
  });
});

describe('formatNumber', () => {
  it('shows Brazilian numbers nationally when Brazil is the default', () => {
    expect(formatNumber('+5531999999999', '55')).toBe('(31) 99999-9999');
    expect(formatNumber('+553133334444', '55')).toBe('(31) 3333-4444');
    expect(formatNumber('+558001234567', '55')).toBe('0800 123 4567');
  });

  it('shows them internationally otherwise', () => {
    expect(formatNumber('+5531999999999', '1')).toBe('+55 31 99999-9999');
    expect(formatInternational('+5531999999999')).toBe('+55 31 99999-9999');
  });

  it('leaves other numbers and identities readable', () => {
    expect(formatNumber('+12125551234', '55')).toBe('+12125551234');
    expect(formatNumber('client:alice', '55')).toBe('alice');
    expect(formatNumber(null, '55')).toBe('');
  });

  it('round-trips with normalizeNumber', () => {
    for (const n of ['+5531999999999', '+553133334444', '+5511987654321']) {
      const shown = formatNumber(n, '55');
      expect(normalizeNumber(shown, '55')).toEqual({ ok: true, e164: n });
    }
  });
});

describe('isHiddenNumber', () => {
  it('recognises Twilio placeholders', () => {
    for (const v of ['anonymous', 'Unknown', '', null, 'restricted']) expect(isHiddenNumber(v)).toBe(true);
    expect(isHiddenNumber('+5531999999999')).toBe(false);
  });
});
