// Classifies whatever went wrong (Twilio error, HTTP error, time-out, browser refusal) into a
// code with a catalogue message (`error.<code>`) and a retry policy.
import { ApiError } from '../api/client';
import { TimeoutError } from '../util/timeout';

/** Every Twilio error code the voice SDK 2.x can raise, plus the token errors Twilio reports. */
export const TWILIO_ERROR_CODES = [
  20101, 20103, 20104, 20105, 20107, 20151, 31000, 31001, 31002, 31003, 31005, 31008, 31009,
  31100, 31101, 31102, 31103, 31104, 31105, 31107, 31201, 31202, 31203, 31204, 31205, 31206,
  31207, 31208, 31209, 31210, 31212, 31400, 31401, 31402, 31404, 31480, 31486, 31603, 53000,
  53001, 53400, 53402, 53405,
] as const;

/** The app's own failure codes. */
export const APP_ERROR_CODES = [
  'token-timeout',
  'token-failed',
  'twilio-not-configured',
  'unauthorized',
  'rate-limited',
  'load-failed',
  'load-timeout',
  'register-timeout',
  'connect-timeout',
  'unsupported-browser',
  'offline',
  'demo-failed',
  'unknown',
] as const;

export type TwilioErrorCode = (typeof TWILIO_ERROR_CODES)[number];
export type AppErrorCode = (typeof APP_ERROR_CODES)[number];
export type PhoneErrorCode = TwilioErrorCode | AppErrorCode;

/** auto: exponential back-off; slow: configuration problem, retry rarely; manual: only on click. */
export type RetryPolicy = 'auto' | 'slow' | 'manual';

export interface PhoneErrorInfo {
  code: PhoneErrorCode;
  /** The raw code when it was not a known one (shown next to the generic message). */
  rawCode: string | null;
  retry: RetryPolicy;
}

/** An app-level failure with one of {@link APP_ERROR_CODES}. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  constructor(code: AppErrorCode, message?: string) {
    super(message ?? code);
    this.name = 'AppError';
    this.code = code;
  }
}

const KNOWN = new Set<number>(TWILIO_ERROR_CODES);
const APP = new Set<string>(APP_ERROR_CODES);

// Token, identity and account problems: fixed by an administrator, not by retrying quickly.
const CONFIG_CODES = new Set<number>([
  20101, 20103, 20107, 20151, 31105, 31201, 31202, 31203, 31204, 31207,
]);

/** Token errors that a fresh token cures. */
export const TOKEN_EXPIRED_CODES = new Set<number>([20104, 31205]);

/** Microphone errors: the call cannot go on, retrying will not help until the user acts. */
export const MICROPHONE_CODES = new Set<number>([31208, 31401, 31402]);

/** Fatal for a call when raised before it connected; 31005 after connection is often spurious. */
export const SPURIOUS_ON_HANGUP = 31005;

function policy(code: PhoneErrorCode): RetryPolicy {
  if (code === 'unsupported-browser' || code === 'unauthorized') return 'manual';
  if (code === 'twilio-not-configured') return 'slow';
  if (typeof code === 'number' && (CONFIG_CODES.has(code) || MICROPHONE_CODES.has(code))) {
    return 'slow';
  }
  return 'auto';
}

function info(code: PhoneErrorCode, rawCode: string | null = null): PhoneErrorInfo {
  return { code, rawCode, retry: policy(code) };
}

/** Maps anything thrown or emitted to a {@link PhoneErrorInfo}. */
export function classifyError(err: unknown): PhoneErrorInfo {
  if (err instanceof AppError) return info(err.code);
  if (err instanceof TimeoutError) {
    return APP.has(err.code) ? info(err.code as AppErrorCode) : info('unknown', err.code);
  }
  if (err instanceof ApiError) {
    if (err.status === 401) return info('unauthorized');
    if (err.status === 503) return info('twilio-not-configured');
    if (err.status === 429) return info('rate-limited');
    if (err.status === 0) return info('offline');
    return info('token-failed', String(err.status));
  }
  if (typeof DOMException !== 'undefined' && err instanceof DOMException) {
    if (err.name === 'NotAllowedError' || err.name === 'SecurityError') return info(31401);
    if (err.name === 'NotFoundError' || err.name === 'NotReadableError') return info(31402);
  }
  if (err && typeof err === 'object' && 'code' in err) {
    const raw = (err as { code: unknown }).code;
    const num = typeof raw === 'number' ? raw : Number(raw);
    if (Number.isInteger(num) && KNOWN.has(num)) return info(num as TwilioErrorCode);
    if (typeof raw === 'string' && APP.has(raw)) return info(raw as AppErrorCode);
    if (raw != null && raw !== '') return info('unknown', String(raw));
  }
  return info('unknown');
}

/** The catalogue key of an error's message. */
export function errorKey(code: PhoneErrorCode): `error.${PhoneErrorCode}` {
  return `error.${code}`;
}
