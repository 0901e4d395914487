// Phone number clean-up, normalisation to E.164 and display formatting.
// Brazil (country code 55) gets full national rules because it is the default market; any other
// default country gets the generic "trunk 0 + national number" rule.

/** Why a typed number cannot be dialled. Each value is an i18n key suffix (`number.<problem>`). */
export type NumberProblem =
  | 'empty'
  | 'invalid-chars'
  | 'too-short'
  | 'too-long'
  | 'area-code'
  | 'missing-area-code'
  | 'invalid';

/** Result of {@link normalizeNumber}. */
export type Normalized = { ok: true; e164: string } | { ok: false; problem: NumberProblem };

// Characters people and web pages put between digits.
const SEPARATORS = /[\s\-.()/\\\u00a0\u2010-\u2015\u2212]/g;
const SCHEME = /^(tel|callto|sip):/i;

// Brazilian area codes (DDD) in use. Anything else is a typo.
const BR_AREA_CODES = new Set(
  (
    '11 12 13 14 15 16 17 18 19 21 22 24 27 28 31 32 33 34 35 37 38 41 42 43 44 45 46 47 48 49 ' +
    '51 53 54 55 61 62 63 64 65 66 67 68 69 71 73 74 75 77 79 81 82 83 84 85 86 87 88 89 ' +
    '91 92 93 94 95 96 97 98 99'
  ).split(' '),
);
// Non-geographic prefixes (0800 toll free, 0300/0500/0900 shared cost / premium).
const BR_SERVICE = /^(300|500|800|900)\d{6,7}$/;

const ok = (e164: string): Normalized => ({ ok: true, e164 });
const fail = (problem: NumberProblem): Normalized => ({ ok: false, problem });

/**
 * Cleans text pasted into the dial field: drops `tel:` prefixes, words and separators, keeps a
 * leading `+` and the digits. "Tel: +55 (31) 99999-9999" becomes "+5531999999999".
 */
export function cleanPasted(text: string): string {
  const trimmed = text.trim().replace(SCHEME, '');
  const plus = /^[^\d]*\+/.test(trimmed);
  const digits = trimmed.replace(/\D/g, '');
  return (plus ? '+' : '') + digits;
}

/**
 * Turns what an agent typed into an E.164 number, using `defaultCountry` (digits, e.g. "55") for
 * national numbers. "31 99999-9999" with "55" gives "+5531999999999".
 */
export function normalizeNumber(input: string, defaultCountry: string): Normalized {
  const compact = input.trim().replace(SCHEME, '').replace(SEPARATORS, '');
  if (compact === '') return fail('empty');
  const plus = compact.startsWith('+');
  const digits = plus ? compact.slice(1) : compact;
  if (!/^\d+$/.test(digits)) return fail('invalid-chars');
  if (plus) return international(digits);
  const cc = defaultCountry.replace(/\D/g, '') || '55';
  if (digits.startsWith('00')) {
    // Brazil dials abroad as 00 + two-digit carrier code + country code; elsewhere 00 + country code.
    const rest = cc === '55' ? digits.slice(4) : digits.slice(2);
    return rest.length < 8 ? fail('too-short') : international(rest);
  }
  return cc === '55' ? brazilNational(digits) : genericNational(digits, cc);
}

function international(digits: string): Normalized {
  if (digits.length < 8) return fail('too-short');
  if (digits.length > 15) return fail('too-long');
  if (digits.startsWith('55')) return brazilSubscriber(digits.slice(2));
  return ok('+' + digits);
}

function brazilNational(input: string): Normalized {
  let digits = input;
  if (digits.startsWith('0')) {
    if (BR_SERVICE.test(digits.slice(1))) return ok('+55' + digits.slice(1));
    // 0 + DDD + number is the trunk prefix; 0 + carrier (2 digits) + DDD + number selects a carrier.
    if (digits.length === 11 || digits.length === 12) digits = digits.slice(1);
    else if (digits.length === 13 || digits.length === 14) digits = digits.slice(3);
    else return fail(digits.length < 11 ? 'too-short' : 'too-long');
  }
  if (digits.length === 12 || digits.length === 13) {
    // Country code typed without the plus: 55 + DDD + number.
    if (digits.startsWith('55')) return brazilSubscriber(digits.slice(2));
    return fail('too-long');
  }
  if (digits.length === 8 || digits.length === 9) return fail('missing-area-code');
  return brazilSubscriber(digits);
}

// `national` is what follows +55: DDD + 8 or 9 digits, or a non-geographic service number.
function brazilSubscriber(national: string): Normalized {
  if (BR_SERVICE.test(national)) return ok('+55' + national);
  if (national.length < 10) return fail('too-short');
  if (national.length > 11) return fail('too-long');
  const area = national.slice(0, 2);
  if (!BR_AREA_CODES.has(area)) return fail('area-code');
  const subscriber = national.slice(2);
  if (subscriber.length === 9) {
    return subscriber.startsWith('9') ? ok('+55' + national) : fail('invalid');
  }
  // Eight digits: landlines start with 2-5; 6-9 is a mobile written before the ninth digit (2016).
  const first = subscriber.charAt(0);
  if (first >= '6') return ok('+55' + area + '9' + subscriber);
  if (first >= '2') return ok('+55' + national);
  return fail('invalid');
}

function genericNational(digits: string, cc: string): Normalized {
  if (digits.length >= 11 && digits.startsWith(cc)) return international(digits);
  const national = digits.startsWith('0') ? digits.slice(1) : digits;
  if (national.length < 6) return fail('too-short');
  return international(cc + national);
}

/** True for the placeholders Twilio uses when the caller hid their number. */
export function isHiddenNumber(raw: string | null | undefined): boolean {
  const v = (raw ?? '').trim().toLowerCase();
  return v === '' || v === 'anonymous' || v === 'unknown' || v === 'restricted' || v === 'private';
}

/**
 * Formats a stored number for people. Brazilian numbers are shown nationally ("(31) 99999-9999")
 * when Brazil is the default country; `client:alice` shows as "alice"; others stay E.164.
 */
export function formatNumber(raw: string | null | undefined, defaultCountry = '55'): string {
  const value = (raw ?? '').trim();
  if (value.toLowerCase().startsWith('client:')) return value.slice(7);
  if (!value.startsWith('+55')) return value;
  const national = value.slice(3);
  const prefix = defaultCountry === '55' ? '' : '+55 ';
  if (BR_SERVICE.test(national)) {
    return `${prefix}0${national.slice(0, 3)} ${national.slice(3, -4)} ${national.slice(-4)}`;
  }
  if (!/^\d{10,11}$/.test(national)) return value;
  const area = national.slice(0, 2);
  const sub = national.slice(2);
  const local = `${sub.slice(0, -4)}-${sub.slice(-4)}`;
  return defaultCountry === '55' ? `(${area}) ${local}` : `${prefix}${area} ${local}`;
}

/** Digits only, for the `number` filter of the call history ("(31) 9999" -> "319999"). */
export function digitsOnly(text: string): string {
  return text.replace(/\D/g, '');
}

/** International form for any number: "+55 31 99999-9999". */
export function formatInternational(e164: string): string {
  return formatNumber(e164, '');
}
