// A small typed event emitter: the phone, the event stream and the tab election all publish
// events, and every subscription returns its own unsubscribe function.

/** Maps event names to the tuple of arguments their listeners receive. */
export type EventMap = Record<string, unknown[]>;

/** Listener of event `K` in map `E`. */
export type Listener<E extends EventMap, K extends keyof E> = (...args: E[K]) => void;

/** Typed emitter. A throwing listener does not stop the others. */
export class Emitter<E extends EventMap> {
  readonly #listeners = new Map<keyof E, Set<unknown>>();

  on<K extends keyof E>(event: K, fn: Listener<E, K>): () => void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn);
    return () => {
      set.delete(fn);
    };
  }

  emit<K extends keyof E>(event: K, ...args: E[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<E, K>)(...args);
      } catch (err) {
        // Surface listener bugs without breaking the emitter's other listeners.
        setTimeout(() => {
          throw err;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
