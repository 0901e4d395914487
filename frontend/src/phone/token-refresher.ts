// Keeps the device's access token fresh. Relying on the SDK's tokenWillExpire alone misses
// refreshes (it can fire once, or not at all while a background tab is throttled), so this also
// refreshes on its own timer at a fraction of the ttl, when the tab wakes up and after reconnects.
// The schedule is measured on the browser's clock from the moment the token arrived, which makes
// it immune to clock skew between browser and server.
import type { TokenInfo } from '../api/types';
import { backoffDelay } from '../util/backoff';
import { withTimeout } from '../util/timeout';

export type RefreshReason = 'timer' | 'will-expire' | 'visible' | 'reconnect' | 'retry' | 'manual';

export interface TokenRefresherOptions {
  fetchToken: () => Promise<TokenInfo>;
  /** Hands the new token to the device. */
  apply: (token: TokenInfo) => void;
  now?: () => number;
  /** Refresh after this fraction of the ttl (default 0.8). */
  ratio?: number;
  retryBaseMs?: number;
  retryMaxMs?: number;
  timeoutMs?: number;
  onError?: (err: unknown) => void;
  onRefreshed?: (reason: RefreshReason, token: TokenInfo) => void;
  random?: () => number;
}

export class TokenRefresher {
  readonly #o: TokenRefresherOptions;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #dueAt: number | null = null;
  #inflight: Promise<void> | null = null;
  #failures = 0;
  #stopped = true;

  constructor(opts: TokenRefresherOptions) {
    this.#o = opts;
  }

  #now(): number {
    return this.#o.now?.() ?? Date.now();
  }

  /** When the next timed refresh is due (ms on the browser clock), if scheduled. */
  get dueAt(): number | null {
    return this.#dueAt;
  }

  /** Starts (or restarts) the schedule for a token that has just been received. */
  start(token: TokenInfo): void {
    this.#stopped = false;
    const now = this.#now();
    const ttlSecs =
      token.ttl_secs > 0 ? token.ttl_secs : Math.max(60, token.expires_at - Math.floor(now / 1000));
    this.#failures = 0;
    this.#schedule(now + ttlSecs * 1000 * (this.#o.ratio ?? 0.8));
  }

  stop(): void {
    this.#stopped = true;
    this.#clear();
    this.#dueAt = null;
  }

  /**
   * Fetches a token now and applies it; concurrent calls share one request. A failure schedules
   * a retry with back-off.
   */
  refreshNow(reason: RefreshReason): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    if (this.#inflight) return this.#inflight;
    this.#clear();
    const run = async () => {
      try {
        const token = await withTimeout(
          this.#o.fetchToken(),
          this.#o.timeoutMs ?? 10_000,
          'token-timeout',
        );
        if (this.#stopped) return;
        this.#o.apply(token);
        this.start(token);
        this.#o.onRefreshed?.(reason, token);
      } catch (err) {
        if (this.#stopped) return;
        this.#o.onError?.(err);
        const delay = backoffDelay(this.#failures++, {
          baseMs: this.#o.retryBaseMs ?? 5_000,
          maxMs: this.#o.retryMaxMs ?? 60_000,
          random: this.#o.random,
        });
        this.#schedule(this.#now() + delay, 'retry');
      }
    };
    const p = run().finally(() => {
      if (this.#inflight === p) this.#inflight = null;
    });
    this.#inflight = p;
    return p;
  }

  /**
   * The tab became visible: timers may have been throttled or frozen while hidden, so refresh
   * now if the refresh is overdue, else re-arm the timer against the real clock.
   */
  onVisible(): void {
    if (this.#stopped || this.#inflight || this.#dueAt == null) return;
    if (this.#now() >= this.#dueAt) void this.refreshNow('visible');
    else this.#schedule(this.#dueAt);
  }

  #schedule(at: number, reason: RefreshReason = 'timer'): void {
    this.#clear();
    this.#dueAt = at;
    this.#timer = setTimeout(
      () => {
        this.#timer = null;
        void this.refreshNow(reason);
      },
      Math.max(0, at - this.#now()),
    );
  }

  #clear(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
