import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { backoffDelay } from '../src/util/backoff';
import { TimeoutError, withTimeout } from '../src/util/timeout';

describe('withTimeout', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('rejects with the step code when the promise never settles (offline register())', async () => {
    const never = new Promise<void>(() => undefined);
    const p = withTimeout(never, 15_000, 'register-timeout');
    const seen = vi.fn();
    p.catch(seen);
    await vi.advanceTimersByTimeAsync(14_999);
    expect(seen).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(seen).toHaveBeenCalledOnce();
    const err = seen.mock.calls[0]?.[0];
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.code).toBe('register-timeout');
    expect(err.ms).toBe(15_000);
  });

  it('resolves with the value and clears its timer', async () => {
    const p = withTimeout(Promise.resolve(42), 1000, 'x');
    await expect(p).resolves.toBe(42);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('passes rejections through untouched', async () => {
    const err = { code: 31000 };
    await expect(withTimeout(Promise.reject(err), 1000, 'x')).rejects.toBe(err);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('ignores a settlement that comes after the time-out', async () => {
    let resolve!: (v: string) => void;
    const slow = new Promise<string>((r) => (resolve = r));
    const p = withTimeout(slow, 100, 'connect-timeout');
    const onErr = vi.fn();
    p.catch(onErr);
    await vi.advanceTimersByTimeAsync(100);
    resolve('late');
    await vi.runAllTimersAsync();
    expect(onErr).toHaveBeenCalledOnce();
  });
});

describe('backoffDelay', () => {
  const opts = { baseMs: 1000, maxMs: 30_000, random: () => 0.5 }; // 0.5 = no jitter

  it('doubles per attempt up to the cap', () => {
    expect([0, 1, 2, 3, 4, 5, 6].map((a) => backoffDelay(a, opts))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 30_000, 30_000,
    ]);
  });

  it('spreads by the jitter fraction and never exceeds the cap', () => {
    expect(backoffDelay(1, { ...opts, random: () => 0 })).toBe(1600);
    expect(backoffDelay(1, { ...opts, random: () => 0.999999 })).toBe(2400);
    expect(backoffDelay(10, { ...opts, random: () => 0.999999 })).toBe(30_000);
  });

  it('survives absurd attempt numbers', () => {
    expect(backoffDelay(10_000, opts)).toBe(30_000);
    expect(backoffDelay(-3, opts)).toBe(1000);
  });
});
