// Test doubles: a scriptable device and call, an in-memory Web Locks manager and
// BroadcastChannel, and a token source.
import { vi } from 'vitest';
import type { TokenInfo } from '../src/api/types';
import type {
  CallEvents,
  DeviceEvents,
  PhoneAudio,
  PhoneCall,
  PhoneDevice,
} from '../src/phone/device';
import type { ChannelLike, LockManagerLike } from '../src/phone/tab-election';
import { Emitter } from '../src/util/emitter';

export class FakeCall implements PhoneCall {
  readonly events = new Emitter<CallEvents>();
  muted = false;
  accept = vi.fn();
  reject = vi.fn();
  disconnect = vi.fn();
  sendDigits = vi.fn();
  constructor(
    readonly direction: 'inbound' | 'outbound',
    readonly remote: string,
    readonly callSid = 'CA' + Math.random().toString(16).slice(2),
  ) {}
  sid(): string | null {
    return this.callSid;
  }
  mute(m: boolean): void {
    this.muted = m;
  }
  isMuted(): boolean {
    return this.muted;
  }
  on: PhoneCall['on'] = (e, fn) => this.events.on(e, fn);
  emit<K extends keyof CallEvents>(e: K, ...args: CallEvents[K]): void {
    this.events.emit(e, ...args);
  }
}

export type RegisterMode = 'resolve' | 'hang' | 'reject';

export class FakeDevice implements PhoneDevice {
  readonly kind = 'twilio' as const;
  readonly events = new Emitter<DeviceEvents>();
  audio: PhoneAudio | null = null;
  registered = false;
  destroyed = false;
  registerMode: RegisterMode = 'resolve';
  connectMode: 'resolve' | 'hang' = 'resolve';
  calls: FakeCall[] = [];
  pendingConnect: { resolve: (c: FakeCall) => void; to: string } | null = null;
  /** Settles a register() left hanging (mode 'hang'). */
  resolveRegister: (() => void) | null = null;
  register = vi.fn((): Promise<void> => {
    if (this.registerMode === 'hang') {
      return new Promise<void>((resolve) => {
        this.resolveRegister = resolve;
      });
    }
    if (this.registerMode === 'reject') return Promise.reject({ code: 31204 });
    this.registered = true;
    return Promise.resolve();
  });
  connect = vi.fn((to: string): Promise<PhoneCall> => {
    const call = new FakeCall('outbound', to);
    this.calls.push(call);
    if (this.connectMode === 'hang') {
      return new Promise((resolve) => {
        this.pendingConnect = { resolve, to };
      });
    }
    return Promise.resolve(call);
  });
  updateToken = vi.fn();
  destroy = vi.fn(() => {
    this.destroyed = true;
    this.registered = false;
  });
  constructor(readonly token: TokenInfo) {}
  isRegistered(): boolean {
    return this.registered;
  }
  on: PhoneDevice['on'] = (e, fn) => this.events.on(e, fn);
  emit<K extends keyof DeviceEvents>(e: K, ...args: DeviceEvents[K]): void {
    this.events.emit(e, ...args);
  }
  /** Simulates an incoming call. */
  ring(from: string): FakeCall {
    const call = new FakeCall('inbound', from);
    this.calls.push(call);
    this.emit('incoming', call);
    return call;
  }
}

let tokenSeq = 0;
export function makeToken(ttlSecs = 3600, nowMs = Date.now()): TokenInfo {
  tokenSeq += 1;
  return {
    token: `tok-${tokenSeq}`,
    identity: 'alice',
    expires_at: Math.floor(nowMs / 1000) + ttlSecs,
    ttl_secs: ttlSecs,
  };
}

/** In-memory navigator.locks with ifAvailable, steal and signal, like the spec's queue. */
export class FakeLocks implements LockManagerLike {
  #held = new Map<string, { release: () => void; reject: (e: unknown) => void } | null>();
  #queue = new Map<
    string,
    Array<{ cb: (lock: unknown) => Promise<void> | void; resolve: (v: unknown) => void; reject: (e: unknown) => void; signal?: AbortSignal }>
  >();

  holder(name: string): boolean {
    return !!this.#held.get(name);
  }

  request(
    name: string,
    options: { ifAvailable?: boolean; steal?: boolean; signal?: AbortSignal },
    cb: (lock: unknown) => Promise<void> | void,
  ): Promise<unknown> {
    return new Promise((resolve, reject) => {
      const queue = this.#queue.get(name) ?? [];
      this.#queue.set(name, queue);
      if (options.steal) {
        const prev = this.#held.get(name);
        this.#held.set(name, null);
        prev?.reject(new DOMException('stolen', 'AbortError'));
        this.#grant(name, { cb, resolve, reject });
        return;
      }
      if (this.#held.get(name)) {
        if (options.ifAvailable) {
          Promise.resolve(cb(null)).then(resolve, reject);
          return;
        }
        const entry = { cb, resolve, reject, signal: options.signal };
        queue.push(entry);
        options.signal?.addEventListener('abort', () => {
          const i = queue.indexOf(entry);
          if (i >= 0) {
            queue.splice(i, 1);
            reject(new DOMException('aborted', 'AbortError'));
          }
        });
        return;
      }
      this.#grant(name, { cb, resolve, reject });
    });
  }

  #grant(
    name: string,
    e: { cb: (lock: unknown) => Promise<void> | void; resolve: (v: unknown) => void; reject: (e: unknown) => void },
  ): void {
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      if (this.#held.get(name) === slot) {
        this.#held.set(name, null);
        const next = this.#queue.get(name)?.shift();
        if (next) this.#grant(name, next);
      }
    };
    const slot = {
      release: finish,
      reject: (err: unknown) => {
        done = true;
        e.reject(err);
      },
    };
    this.#held.set(name, slot);
    queueMicrotask(() => {
      Promise.resolve(e.cb({ name })).then(
        (v) => {
          if (!done) {
            finish();
            e.resolve(v);
          }
        },
        (err) => {
          if (!done) {
            finish();
            e.reject(err);
          }
        },
      );
    });
  }
}

/** BroadcastChannel over an in-memory bus; delivery is async, never to the sender. */
export class FakeBus {
  readonly channels = new Set<FakeChannel>();
  /** When false, messages are dropped (a frozen tab, or the fallback's lossy case). */
  open = true;
  create = (name: string): ChannelLike => new FakeChannel(this, name);
}

export class FakeChannel implements ChannelLike {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  closed = false;
  constructor(
    readonly bus: FakeBus,
    readonly name: string,
  ) {
    bus.channels.add(this);
  }
  postMessage(message: unknown): void {
    if (this.closed || !this.bus.open) return;
    const data = structuredClone(message);
    for (const ch of this.bus.channels) {
      if (ch === this || ch.name !== this.name || ch.closed) continue;
      setTimeout(() => ch.onmessage?.({ data } as MessageEvent), 0);
    }
  }
  close(): void {
    this.closed = true;
    this.bus.channels.delete(this);
  }
}
