// Observable value holder: plain TypeScript state (phone, session, language) that Preact
// components subscribe to with `useStore`.

/** Read side of a {@link Store}. */
export interface ReadonlyStore<T> {
  get(): T;
  subscribe(fn: (value: T) => void): () => void;
}

/** A value with change notification. `set` with an identical value notifies nobody. */
export class Store<T> implements ReadonlyStore<T> {
  #value: T;
  readonly #subs = new Set<(value: T) => void>();

  constructor(initial: T) {
    this.#value = initial;
  }

  get(): T {
    return this.#value;
  }

  set(value: T): void {
    if (Object.is(value, this.#value)) return;
    this.#value = value;
    for (const fn of [...this.#subs]) fn(value);
  }

  update(fn: (value: T) => T): void {
    this.set(fn(this.#value));
  }

  subscribe(fn: (value: T) => void): () => void {
    this.#subs.add(fn);
    return () => {
      this.#subs.delete(fn);
    };
  }
}
