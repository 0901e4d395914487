import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TokenInfo } from '../src/api/types';
import { TokenRefresher } from '../src/phone/token-refresher';
import { makeToken } from './fakes';

describe('TokenRefresher', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_700_000_000_000 }));
  afterEach(() => vi.useRealTimers());

  function setup(ttl = 1000) {
    const applied: TokenInfo[] = [];
    const fetchToken = vi.fn(async () => makeToken(ttl, Date.now()));
    const onRefreshed = vi.fn();
    const r = new TokenRefresher({
      fetchToken,
      apply: (t) => applied.push(t),
      onRefreshed,
      random: () => 0.5,
      retryBaseMs: 5000,
    });
    return { r, fetchToken, applied, onRefreshed };
  }

  it('refreshes at 80 % of the ttl, and again after each refresh', async () => {
    const { r, fetchToken, applied } = setup(1000);
    r.start(makeToken(1000, Date.now()));
    expect(r.dueAt).toBe(Date.now() + 800_000);
    await vi.advanceTimersByTimeAsync(799_999);
    expect(fetchToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(applied).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(800_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(applied).toHaveLength(2);
  });

  it('measures the ttl on the browser clock, ignoring server clock skew', () => {
    const { r } = setup();
    // Server clock one hour behind: expires_at looks already past; ttl_secs still rules.
    const skewed = { ...makeToken(3600, Date.now() - 3_600_000) };
    r.start(skewed);
    expect(r.dueAt).toBe(Date.now() + 2_880_000);
  });

  it('refreshes on tokenWillExpire and shares one request between concurrent triggers', async () => {
    const { r, fetchToken, onRefreshed } = setup();
    r.start(makeToken(3600));
    await Promise.all([r.refreshNow('will-expire'), r.refreshNow('visible'), r.refreshNow('timer')]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onRefreshed).toHaveBeenCalledWith('will-expire', expect.anything());
  });

  it('catches up when the tab wakes after its timer should have fired', async () => {
    const { r, fetchToken } = setup(1000);
    r.start(makeToken(1000));
    // A frozen background tab: the clock moves, timers do not run.
    vi.setSystemTime(Date.now() + 900_000);
    r.onVisible();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('does not refresh on wake-up when the token is still young, but re-arms the timer', async () => {
    const { r, fetchToken } = setup(1000);
    r.start(makeToken(1000));
    vi.setSystemTime(Date.now() + 100_000);
    r.onVisible();
    await vi.advanceTimersByTimeAsync(0);
    expect(fetchToken).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(700_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('retries a failed refresh with back-off', async () => {
    const { r, fetchToken } = setup(1000);
    fetchToken.mockRejectedValueOnce(new Error('down')).mockRejectedValueOnce(new Error('down'));
    r.start(makeToken(1000));
    await vi.advanceTimersByTimeAsync(800_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(5000); // first retry after base delay
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(9999); // second retry after 2x base
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(r.dueAt).toBe(Date.now() + 800_000); // succeeded: normal schedule again
  });

  it('times out a hanging token request', async () => {
    const applied: TokenInfo[] = [];
    const onError = vi.fn();
    const r = new TokenRefresher({
      fetchToken: () => new Promise(() => undefined),
      apply: (t) => applied.push(t),
      onError,
      timeoutMs: 10_000,
      random: () => 0.5,
    });
    r.start(makeToken(1000));
    void r.refreshNow('manual');
    await vi.advanceTimersByTimeAsync(10_000);
    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ code: 'token-timeout' }));
    expect(applied).toHaveLength(0);
  });

  it('stops', async () => {
    const { r, fetchToken } = setup(1000);
    r.start(makeToken(1000));
    r.stop();
    await vi.advanceTimersByTimeAsync(2_000_000);
    await r.refreshNow('manual');
    expect(fetchToken).not.toHaveBeenCalled();
  });
});
