// Live updates from GET /api/events (Server-Sent Events). EventSource retries by itself only on
// some failures and never after an HTTP error, so every error closes the source and this class
// reconnects with exponential back-off; `open` after a `close` tells listeners to catch up.
import { backoffDelay } from '../util/backoff';
import { Emitter } from '../util/emitter';
import { Store } from '../util/store';
import type { Call, DemoIncoming, PresenceEvent } from './types';

/** The part of EventSource this class uses (injectable for tests). */
export interface EventSourceLike {
  readonly readyState: number;
  onopen: ((ev: Event) => unknown) | null;
  onerror: ((ev: Event) => unknown) | null;
  addEventListener(type: string, fn: (ev: MessageEvent) => void): void;
  close(): void;
}

export type StreamEvents = {
  call: [Call];
  presence: [PresenceEvent];
  'demo-incoming': [DemoIncoming];
  /** The stream is (again) connected. `resumed` is true after a break: refetch what you show. */
  open: [resumed: boolean];
  /** The stream broke; a reconnection is scheduled. */
  close: [];
};

export type StreamStatus = 'idle' | 'connecting' | 'open' | 'waiting';

export interface EventStreamOptions {
  url: string;
  createSource?: (url: string) => EventSourceLike;
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
}

const EVENT_NAMES = ['call', 'presence', 'demo-incoming'] as const;

export class EventStream extends Emitter<StreamEvents> {
  readonly status = new Store<StreamStatus>('idle');
  readonly #opts: EventStreamOptions;
  #source: EventSourceLike | null = null;
  #attempt = 0;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #everOpened = false;

  constructor(opts: EventStreamOptions) {
    super();
    this.#opts = opts;
  }

  isOpen(): boolean {
    return this.status.get() === 'open';
  }

  start(): void {
    if (this.#source || this.#timer) return;
    this.#connect();
  }

  stop(): void {
    this.#clearTimer();
    this.#closeSource();
    this.status.set('idle');
  }

  /** Reconnects now if not connected (called when the browser comes back online). */
  kick(): void {
    if (this.status.get() === 'waiting') {
      this.#clearTimer();
      this.#attempt = 0;
      this.#connect();
    }
  }

  #connect(): void {
    this.status.set('connecting');
    const create =
      this.#opts.createSource ??
      ((url: string) => new EventSource(url, { withCredentials: true }) as EventSourceLike);
    let source: EventSourceLike;
    try {
      source = create(this.#opts.url);
    } catch {
      this.#scheduleReconnect();
      return;
    }
    this.#source = source;
    source.onopen = () => {
      if (this.#source !== source) return;
      this.#attempt = 0;
      const resumed = this.#everOpened;
      this.#everOpened = true;
      this.status.set('open');
      this.emit('open', resumed);
    };
    source.onerror = () => {
      if (this.#source !== source) return;
      this.#closeSource();
      const wasOpen = this.status.get() === 'open';
      this.#scheduleReconnect();
      if (wasOpen) this.emit('close');
    };
    for (const name of EVENT_NAMES) {
      source.addEventListener(name, (ev: MessageEvent) => {
        if (this.#source !== source) return;
        let data: unknown;
        try {
          data = JSON.parse(String(ev.data));
        } catch {
          return; // A malformed event must not break the stream.
        }
        (this.emit as (e: string, d: unknown) => void)(name, data);
      });
    }
  }

  #scheduleReconnect(): void {
    const delay = backoffDelay(this.#attempt++, {
      baseMs: this.#opts.baseMs ?? 1000,
      maxMs: this.#opts.maxMs ?? 30000,
      random: this.#opts.random,
    });
    this.status.set('waiting');
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#connect();
    }, delay);
  }

  #closeSource(): void {
    const s = this.#source;
    this.#source = null;
    if (s) {
      s.onopen = null;
      s.onerror = null;
      s.close();
    }
  }

  #clearTimer(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
  }
}
