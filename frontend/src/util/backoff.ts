// Exponential back-off with jitter, shared by device re-registration, token refresh and the
// live-update stream so that many agents coming back online do not reconnect in lock-step.

/** Back-off parameters. */
export interface BackoffOptions {
  /** Delay of the first retry, in ms. */
  baseMs: number;
  /** Upper bound of any delay, in ms. */
  maxMs: number;
  /** Fraction of the delay that is randomised (0.2 = +-20 %). */
  jitter?: number;
  /** Source of randomness in [0, 1); injectable for tests. */
  random?: () => number;
}

/** Delay before retry number `attempt` (0-based): base * 2^attempt, capped, with jitter. */
export function backoffDelay(attempt: number, opts: BackoffOptions): number {
  const jitter = opts.jitter ?? 0.2;
  const random = opts.random ?? Math.random;
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, Math.min(attempt, 30)));
  const spread = exp * jitter * (random() * 2 - 1);
  return Math.max(0, Math.min(opts.maxMs, Math.round(exp + spread)));
}
