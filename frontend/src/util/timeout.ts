// Offline, the voice SDK's register() and connect() never settle; every await on the network
// goes through withTimeout so the phone can report the problem and retry.

/** Raised when a wrapped promise did not settle in time. `code` names the step (an i18n key). */
export class TimeoutError extends Error {
  readonly code: string;
  readonly ms: number;

  constructor(code: string, ms: number) {
    super(`${code} after ${ms} ms`);
    this.name = 'TimeoutError';
    this.code = code;
    this.ms = ms;
  }
}

/**
 * Resolves or rejects like `promise`, or rejects with a {@link TimeoutError} carrying `code`
 * after `ms`. The timer is cleared as soon as the promise settles.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, code: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new TimeoutError(code, ms)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        clearTimeout(timer);
        reject(err);
      },
    );
  });
}
