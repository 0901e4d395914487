import { describe, expect, it } from 'vitest';
import { ApiError } from '../src/api/client';
import { AppError, classifyError } from '../src/phone/errors';
import { TimeoutError } from '../src/util/timeout';

describe('classifyError', () => {
  it('recognises Twilio errors by code and picks a retry policy', () => {
    expect(classifyError({ code: 31000, message: 'x' })).toEqual({ code: 31000, rawCode: null, retry: 'auto' });
    expect(classifyError({ code: 31204 })).toMatchObject({ code: 31204, retry: 'slow' });
    expect(classifyError({ code: '20101' })).toMatchObject({ code: 20101, retry: 'slow' });
    expect(classifyError({ code: 31401 })).toMatchObject({ code: 31401, retry: 'slow' });
  });

  it('keeps unknown codes visible', () => {
    expect(classifyError({ code: 99999 })).toEqual({ code: 'unknown', rawCode: '99999', retry: 'auto' });
    expect(classifyError(new Error('boom'))).toEqual({ code: 'unknown', rawCode: null, retry: 'auto' });
  });

  it('maps HTTP failures of the token endpoint', () => {
    expect(classifyError(new ApiError(503, 'x', 'x')).code).toBe('twilio-not-configured');
    expect(classifyError(new ApiError(401, 'x', 'x'))).toMatchObject({ code: 'unauthorized', retry: 'manual' });
    expect(classifyError(new ApiError(429, 'x', 'x')).code).toBe('rate-limited');
    expect(classifyError(new ApiError(0, 'network', 'x')).code).toBe('offline');
    expect(classifyError(new ApiError(500, 'x', 'x'))).toMatchObject({ code: 'token-failed', rawCode: '500' });
  });

  it('maps time-outs, app errors and browser media refusals', () => {
    expect(classifyError(new TimeoutError('register-timeout', 1)).code).toBe('register-timeout');
    expect(classifyError(new AppError('unsupported-browser'))).toMatchObject({ retry: 'manual' });
    expect(classifyError(new DOMException('no', 'NotAllowedError')).code).toBe(31401);
    expect(classifyError(new DOMException('no', 'NotFoundError')).code).toBe(31402);
  });
});
