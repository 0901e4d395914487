// PhoneDevice that simulates calls through the server's demo endpoints (demo mode: no Twilio
// account). Calls are placed and answered with fetch; the server reports progress through the
// same SSE stream as the call history (`call` events) and announces simulated inbound calls with
// `demo-incoming`. It plays the tones the SDK would play.
import type { Call, DemoIncoming, TokenInfo } from '../api/types';
import { Emitter } from '../util/emitter';
import type { CallEvents, DeviceEvents, PhoneCall, PhoneDevice } from './device';
import type { TonePlayer } from './tones';

/** The demo endpoints used (ApiClient implements them). */
export interface DemoApi {
  demoDial(to: string): Promise<{ call_sid: string }>;
  demoHangup(sid: string): Promise<void>;
  demoDigits(sid: string, digits: string): Promise<void>;
  demoAnswer(sid: string): Promise<void>;
  demoReject(sid: string): Promise<void>;
}

/** The live-update stream (EventStream implements it). */
export interface DemoStream {
  isOpen(): boolean;
  on(event: 'call', fn: (call: Call) => void): () => void;
  on(event: 'demo-incoming', fn: (ev: DemoIncoming) => void): () => void;
  on(event: 'open', fn: () => void): () => void;
  on(event: 'close', fn: () => void): () => void;
}

export interface DemoDeviceOptions {
  api: DemoApi;
  stream: DemoStream;
  /** The logged-in agent, to tell "answered here" from "answered by a colleague". */
  agentId: number;
  tones?: TonePlayer;
  /** tokenWillExpire this long before expiry, like the SDK's tokenRefreshMs. */
  tokenRefreshMs?: number;
  now?: () => number;
}

const TERMINAL = new Set(['completed', 'busy', 'no-answer', 'failed', 'canceled', 'voicemail']);
const SILENT: TonePlayer = { play: () => undefined, stop: () => undefined };

export class DemoDevice implements PhoneDevice {
  readonly kind = 'demo' as const;
  readonly audio = null;
  readonly #opts: DemoDeviceOptions;
  readonly #events = new Emitter<DeviceEvents>();
  readonly #calls = new Set<DemoCall>();
  readonly #unsubscribe: Array<() => void> = [];
  readonly #tones: TonePlayer;
  #wantRegistered = false;
  #registered = false;
  #destroyed = false;
  #expiryTimer: ReturnType<typeof setTimeout> | null = null;
  #waiters: Array<() => void> = [];
  // Recent `call` events: the stream may report progress before the dial request returns.
  readonly #recent: Call[] = [];

  constructor(token: TokenInfo, opts: DemoDeviceOptions) {
    this.#opts = opts;
    this.#tones = opts.tones ?? SILENT;
    const s = opts.stream;
    this.#unsubscribe.push(
      s.on('open', () => this.#streamUp()),
      s.on('close', () => this.#streamDown()),
      s.on('demo-incoming', (ev) => this.#incoming(ev)),
      s.on('call', (call) => {
        this.#remember(call);
        for (const c of [...this.#calls]) c.onServerCall(call);
      }),
    );
    this.#scheduleExpiry(token);
  }

  on: PhoneDevice['on'] = (event, fn) => this.#events.on(event, fn);

  /** Registered means: the live stream is up, so simulated inbound calls can reach us. */
  register(): Promise<void> {
    this.#wantRegistered = true;
    if (this.#opts.stream.isOpen()) {
      this.#streamUp();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  isRegistered(): boolean {
    return this.#registered;
  }

  async connect(to: string): Promise<PhoneCall> {
    const { call_sid } = await this.#opts.api.demoDial(to);
    const call = new DemoCall(this, 'outbound', to, call_sid);
    this.#calls.add(call);
    this.#tones.play('outgoing');
    // Replay what already arrived, once the caller had a chance to subscribe.
    const early = this.#recent.filter(
      (c) => c.call_sid === call_sid || c.legs.some((l) => l.call_sid === call_sid),
    );
    if (early.length) setTimeout(() => early.forEach((c) => call.onServerCall(c)), 0);
    return call;
  }

  updateToken(token: TokenInfo): void {
    this.#scheduleExpiry(token);
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    for (const c of [...this.#calls]) c.disconnect();
    for (const off of this.#unsubscribe) off();
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    this.#registered = false;
    this.#events.clear();
  }

  /** @internal used by DemoCall */
  get api(): DemoApi {
    return this.#opts.api;
  }

  /** @internal */
  get agentId(): number {
    return this.#opts.agentId;
  }

  /** @internal */
  get tones(): TonePlayer {
    return this.#tones;
  }

  /** @internal */
  forget(call: DemoCall): void {
    this.#calls.delete(call);
  }

  #remember(call: Call): void {
    this.#recent.push(call);
    if (this.#recent.length > 20) this.#recent.shift();
  }

  #streamUp(): void {
    if (this.#destroyed || !this.#wantRegistered) return;
    if (!this.#registered) {
      this.#registered = true;
      this.#events.emit('registered');
    }
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }

  #streamDown(): void {
    if (this.#destroyed || !this.#registered) return;
    this.#registered = false;
    this.#events.emit('unregistered');
  }

  #incoming(ev: DemoIncoming): void {
    if (this.#destroyed || !this.#registered) return;
    if ([...this.#calls].some((c) => c.sid() === ev.call_sid)) return; // duplicate event
    const call = new DemoCall(this, 'inbound', ev.from, ev.call_sid);
    this.#calls.add(call);
    this.#tones.play('incoming', true);
    this.#events.emit('incoming', call);
  }

  #scheduleExpiry(token: TokenInfo): void {
    if (this.#expiryTimer) clearTimeout(this.#expiryTimer);
    const now = this.#opts.now?.() ?? Date.now();
    const ttlMs = (token.ttl_secs || Math.max(0, token.expires_at - now / 1000)) * 1000;
    const delay = Math.max(0, ttlMs - (this.#opts.tokenRefreshMs ?? 60_000));
    this.#expiryTimer = setTimeout(() => {
      if (!this.#destroyed) this.#events.emit('tokenWillExpire');
    }, delay);
  }
}

type Phase = 'pending' | 'open' | 'closed';

class DemoCall implements PhoneCall {
  readonly direction: 'inbound' | 'outbound';
  readonly remote: string;
  readonly #device: DemoDevice;
  readonly #events = new Emitter<CallEvents>();
  readonly #sid: string;
  #phase: Phase = 'pending';
  #muted = false;
  #ringing = false;

  constructor(device: DemoDevice, direction: 'inbound' | 'outbound', remote: string, sid: string) {
    this.#device = device;
    this.direction = direction;
    this.remote = remote;
    this.#sid = sid;
  }

  on: PhoneCall['on'] = (event, fn) => this.#events.on(event, fn);

  sid(): string | null {
    return this.#sid;
  }

  accept(): void {
    if (this.direction !== 'inbound' || this.#phase !== 'pending') return;
    this.#device.tones.stop('incoming');
    this.#device.api.demoAnswer(this.#sid).then(
      () => this.#open(),
      (err: unknown) => this.#fail(err),
    );
  }

  reject(): void {
    if (this.direction !== 'inbound' || this.#phase !== 'pending') return;
    void this.#device.api.demoReject(this.#sid).catch(() => undefined);
    this.#close('reject');
  }

  disconnect(): void {
    if (this.#phase === 'closed') return;
    void this.#device.api.demoHangup(this.#sid).catch(() => undefined);
    this.#close(this.direction === 'inbound' && this.#phase === 'pending' ? 'reject' : 'disconnect');
  }

  mute(muted: boolean): void {
    if (this.#muted === muted) return;
    this.#muted = muted;
    this.#events.emit('mute', muted);
  }

  isMuted(): boolean {
    return this.#muted;
  }

  sendDigits(digits: string): void {
    if (this.#phase !== 'open') return;
    const first = digits.charAt(0);
    if (first) {
      const name = first === '*' ? 's' : first === '#' ? 'h' : first;
      this.#device.tones.play(`dtmf${name}` as 'dtmf0');
    }
    void this.#device.api.demoDigits(this.#sid, digits).catch(() => undefined);
  }

  /** A `call` event from the server: follow this call's status. */
  onServerCall(call: Call): void {
    if (this.#phase === 'closed') return;
    const mine =
      call.call_sid === this.#sid || call.legs.some((l) => l.call_sid === this.#sid);
    if (!mine) return;
    const status = call.status;
    if (TERMINAL.has(status)) {
      if (this.direction === 'inbound' && this.#phase === 'pending') {
        this.#close('cancel');
      } else if (this.direction === 'outbound' && this.#phase === 'pending') {
        if (status === 'busy') this.#events.emit('error', { code: 31486 });
        else if (status === 'no-answer') this.#events.emit('error', { code: 31480 });
        else if (status === 'failed') this.#events.emit('error', { code: 31603 });
        this.#close('disconnect');
      } else {
        this.#close('disconnect');
      }
      return;
    }
    if (this.direction === 'outbound') {
      if (status === 'ringing' && !this.#ringing) {
        this.#ringing = true;
        this.#device.tones.play('ringback', true);
        this.#events.emit('ringing');
      } else if (status === 'in-progress' && this.#phase === 'pending') {
        this.#open();
      }
    } else if (status === 'in-progress' && this.#phase === 'pending') {
      // Answered by a colleague: stop ringing here, as Twilio cancels the other clients.
      const answeredBy = call.legs.find((l) => l.status === 'in-progress' && l.agent_id != null);
      if (answeredBy && answeredBy.agent_id !== this.#device.agentId) this.#close('cancel');
    }
  }

  #open(): void {
    if (this.#phase !== 'pending') return;
    this.#phase = 'open';
    this.#device.tones.stop('ringback');
    this.#device.tones.stop('incoming');
    this.#events.emit('accept');
  }

  #fail(err: unknown): void {
    if (this.#phase === 'closed') return;
    const code = err && typeof err === 'object' && 'status' in err ? 'demo-failed' : 31005;
    this.#events.emit('error', { code, message: err instanceof Error ? err.message : String(err) });
    this.#close('disconnect');
  }

  #close(event: 'disconnect' | 'cancel' | 'reject'): void {
    if (this.#phase === 'closed') return;
    const wasOpen = this.#phase === 'open';
    this.#phase = 'closed';
    const tones = this.#device.tones;
    tones.stop('ringback');
    tones.stop('incoming');
    if (event === 'disconnect' && wasOpen) tones.play('disconnect');
    this.#device.forget(this);
    this.#events.emit(event);
  }
}
