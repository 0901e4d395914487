// The logged-in session, persisted in localStorage so every tab of the browser shares it; a
// logout in one tab logs the others out through the storage event.
import type { Agent } from '../api/types';
import { Store } from '../util/store';

export interface Session {
  token: string;
  /** Unix seconds. */
  expiresAt: number;
  agent: Agent;
}

const KEY = 'ramal.session';

interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function parseSession(raw: string | null, nowSecs: number): Session | null {
  if (!raw) return null;
  try {
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.expiresAt !== 'number' || !s.agent) return null;
    if (s.expiresAt <= nowSecs) return null;
    return s as Session;
  } catch {
    return null;
  }
}

export class SessionStore extends Store<Session | null> {
  readonly #storage: StorageLike | null;

  constructor(storage: StorageLike | null) {
    super(parseSession(storage?.getItem(KEY) ?? null, Date.now() / 1000));
    this.#storage = storage;
  }

  token(): string | null {
    return this.get()?.token ?? null;
  }

  save(session: Session): void {
    this.#storage?.setItem(KEY, JSON.stringify(session));
    this.set(session);
  }

  updateAgent(agent: Agent): void {
    const s = this.get();
    if (s) this.save({ ...s, agent });
  }

  clear(): void {
    this.#storage?.removeItem(KEY);
    this.set(null);
  }

  /** Another tab changed the session (storage event). */
  reload(): void {
    this.set(parseSession(this.#storage?.getItem(KEY) ?? null, Date.now() / 1000));
  }

  static readonly storageKey = KEY;
}
