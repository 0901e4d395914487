// The webphone state machine. It owns the device (created lazily on first start, only in the
// tab that wins the election), registers it with time-outs because offline the SDK's promises
// never settle, retries with back-off, keeps the token fresh, drives presence and turns device and
// call events into the observable PhoneState the components render.
//
//   idle -> connecting -> ready <-> offline          (any failure: error -> retry -> connecting)
//   call: outgoing | incoming -> in-call -> ended -> (cleared)
import type { TokenInfo } from '../api/types';
import { backoffDelay } from '../util/backoff';
import { Emitter } from '../util/emitter';
import { Store } from '../util/store';
import { withTimeout } from '../util/timeout';
import type { DeviceError, DeviceFactory, PhoneAudio, PhoneCall, PhoneDevice } from './device';
import {
  AppError,
  MICROPHONE_CODES,
  SPURIOUS_ON_HANGUP,
  TOKEN_EXPIRED_CODES,
  classifyError,
  type PhoneErrorInfo,
} from './errors';
import { normalizeNumber, type NumberProblem } from './number';
import {
  callActive,
  initialPhoneState,
  type AudioView,
  type CallView,
  type EndReason,
  type PhoneState,
} from './phone-state';
import { PresenceHeartbeat, type PresenceApi } from './presence';
import type { TabElection, TabRole } from './tab-election';
import { TokenRefresher } from './token-refresher';

export interface PhoneConfig {
  tokenTimeoutMs: number;
  /** Loading the device code (the SDK chunk) and constructing it. */
  loadTimeoutMs: number;
  registerTimeoutMs: number;
  connectTimeoutMs: number;
  retryBaseMs: number;
  retryMaxMs: number;
  /** Back-off for configuration errors (bad credentials...): start and cap. */
  slowRetryBaseMs: number;
  slowRetryMaxMs: number;
  heartbeatMs: number;
  /** How long an ended call stays on screen. */
  endedLingerMs: number;
  /** Rebuild the device if it stays unregistered this long. */
  watchdogMs: number;
  /** Refresh the token after this fraction of its ttl. */
  refreshRatio: number;
  /** How long a device error stays shown while the phone is still registered. */
  noticeMs: number;
}

export const DEFAULT_PHONE_CONFIG: PhoneConfig = {
  tokenTimeoutMs: 10_000,
  loadTimeoutMs: 30_000,
  registerTimeoutMs: 15_000,
  connectTimeoutMs: 20_000,
  retryBaseMs: 2_000,
  retryMaxMs: 60_000,
  slowRetryBaseMs: 30_000,
  slowRetryMaxMs: 300_000,
  heartbeatMs: 10_000,
  endedLingerMs: 4_000,
  watchdogMs: 20_000,
  refreshRatio: 0.8,
  noticeMs: 30_000,
};

/** Minimal key-value storage (localStorage). */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export interface PhoneControllerDeps {
  createDevice: DeviceFactory;
  fetchToken: () => Promise<TokenInfo>;
  presence: PresenceApi;
  election: TabElection;
  /** Country code (digits) for national numbers, from the server settings. */
  defaultCountry: () => string;
  storage?: KeyValueStorage | null;
  /** navigator.onLine, injectable. */
  isOnline?: () => boolean;
  now?: () => number;
  random?: () => number;
  config?: Partial<PhoneConfig>;
}

export type ControllerEvents = {
  /** A call started ringing here: bring the phone forward. */
  incoming: [CallView];
  'call-ended': [CallView];
};

export type DialResult =
  | { ok: true; e164: string }
  | { ok: false; problem: NumberProblem | 'not-ready' | 'busy' };

const KEY_LAST = 'ramal.phone.last';
const KEY_AWAY = 'ramal.phone.away';
const DTMF = /^[0-9*#]+$/;

function audioView(audio: PhoneAudio | null): AudioView | null {
  if (!audio) return null;
  return {
    inputs: audio.inputs(),
    outputs: audio.outputs(),
    outputSelectable: audio.outputSelectable,
    input: audio.selectedInput(),
    output: audio.selectedOutput(),
  };
}

function newCall(seq: number, phase: 'outgoing' | 'incoming', number: string): CallView {
  return {
    seq,
    phase,
    direction: phase === 'incoming' ? 'inbound' : 'outbound',
    number,
    ringing: false,
    answering: false,
    reconnecting: false,
    acceptedAt: null,
    endedAt: null,
    muted: false,
    warnings: [],
    error: null,
    endReason: null,
    digits: '',
  };
}

export class PhoneController {
  readonly state: Store<PhoneState>;
  readonly events = new Emitter<ControllerEvents>();
  readonly #d: PhoneControllerDeps;
  readonly #cfg: PhoneConfig;
  readonly #refresher: TokenRefresher;
  readonly #presence: PresenceHeartbeat;
  readonly #electionOff: Array<() => void>;
  #device: PhoneDevice | null = null;
  #deviceOff: Array<() => void> = [];
  #call: PhoneCall | null = null;
  #callOff: Array<() => void> = [];
  #hangupRequested = false;
  #gen = 0;
  #seq = 0;
  #wasRegistered = false;
  #retryTimer: ReturnType<typeof setTimeout> | null = null;
  #watchdog: ReturnType<typeof setTimeout> | null = null;
  #linger: ReturnType<typeof setTimeout> | null = null;
  #notice: ReturnType<typeof setTimeout> | null = null;
  #destroyed = false;

  constructor(deps: PhoneControllerDeps) {
    this.#d = deps;
    this.#cfg = { ...DEFAULT_PHONE_CONFIG, ...deps.config };
    this.state = new Store<PhoneState>({
      ...initialPhoneState,
      lastNumber: deps.storage?.getItem(KEY_LAST) ?? null,
      away: deps.storage?.getItem(KEY_AWAY) === '1',
    });
    this.#refresher = new TokenRefresher({
      fetchToken: deps.fetchToken,
      apply: (token) => this.#device?.updateToken(token),
      now: deps.now,
      random: deps.random,
      ratio: this.#cfg.refreshRatio,
      timeoutMs: this.#cfg.tokenTimeoutMs,
    });
    this.#presence = new PresenceHeartbeat(deps.presence, this.#cfg.heartbeatMs);
    const el = deps.election;
    this.#electionOff = [
      el.on('role', (role) => this.#onRole(role)),
      el.on('remote', (remote) => this.#patch({ remote })),
      el.on('handover-request', (from) => this.#onHandoverRequest(from)),
      el.on('handover-denied', () => this.#patch({ handover: 'denied' })),
    ];
  }

  #now(): number {
    return this.#d.now?.() ?? Date.now();
  }

  get #s(): PhoneState {
    return this.state.get();
  }

  #patch(p: Partial<PhoneState>): void {
    this.state.set({ ...this.#s, ...p });
    this.#sync();
  }

  #patchCall(seq: number, p: Partial<CallView>): void {
    const c = this.#s.call;
    if (!c || c.seq !== seq || c.phase === 'ended') return;
    this.#patch({ call: { ...c, ...p } });
  }

  // Side effects that follow the state: presence and what the other tabs see.
  #sync(): void {
    const s = this.#s;
    this.#presence.update({ active: s.role === 'owner' && s.status === 'ready', away: s.away });
    if (s.role === 'owner') {
      this.#d.election.publish({
        status: s.status,
        callPhase: s.call?.phase ?? null,
        number: s.call?.number ?? null,
        away: s.away,
      });
    }
  }

  // ---- lifecycle -------------------------------------------------------------------------

  /** First open of the webphone: join the tab election; the winner creates the device. */
  start(): void {
    if (this.#destroyed) return;
    if (!this.#s.started) {
      this.#patch({ started: true });
      this.#d.election.join();
      return;
    }
    if (this.#s.role === 'owner' && (this.#s.status === 'error' || this.#s.status === 'offline')) {
      this.retryNow();
    }
  }

  /** Retry now (button), resetting the back-off. */
  retryNow(): void {
    if (this.#destroyed || this.#s.role !== 'owner' || callActive(this.#s)) return;
    this.#patch({ attempt: 0 });
    void this.#boot();
  }

  /** Logout or page teardown: drop the call, unregister, leave the election. */
  destroy(): void {
    if (this.#destroyed) return;
    this.#teardown();
    this.#presence.leave();
    this.#destroyed = true;
    for (const off of this.#electionOff) off();
    this.#d.election.leave();
    if (this.#linger) clearTimeout(this.#linger);
    if (this.#notice) clearTimeout(this.#notice);
    this.state.set({ ...initialPhoneState, lastNumber: this.#s.lastNumber, away: this.#s.away });
  }

  #onRole(role: TabRole): void {
    const was = this.#s.role;
    this.#patch({ role, handover: 'idle', ...(role === 'owner' ? { remote: null } : {}) });
    if (role === 'owner') {
      void this.#boot();
    } else if (was === 'owner') {
      this.#teardown();
      this.#patch({ status: 'idle', error: null, retryAt: null });
    }
  }

  async #boot(): Promise<void> {
    const gen = ++this.#gen;
    this.#teardownDevice();
    this.#patch({ status: 'connecting', error: null, retryAt: null });
    let created: Promise<PhoneDevice> | null = null;
    try {
      const token = await withTimeout(
        this.#d.fetchToken(),
        this.#cfg.tokenTimeoutMs,
        'token-timeout',
      );
      if (gen !== this.#gen) return;
      created = this.#d.createDevice(token);
      const device = await withTimeout(created, this.#cfg.loadTimeoutMs, 'load-timeout');
      if (gen !== this.#gen) {
        device.destroy();
        return;
      }
      this.#attach(device, gen);
      this.#refresher.start(token);
      // Handlers are attached above, before register(): its errors arrive as events too.
      await withTimeout(device.register(), this.#cfg.registerTimeoutMs, 'register-timeout');
      if (gen !== this.#gen) return;
      this.#onRegistered(gen);
    } catch (err) {
      // A device that shows up after its time-out must not stay alive (it would ring).
      created?.then(
        (d) => {
          if (d !== this.#device) d.destroy();
        },
        () => undefined,
      );
      if (gen !== this.#gen) return;
      this.#fail(err);
    }
  }

  #fail(err: unknown): void {
    const info = classifyError(err);
    this.#teardown(); // also invalidates pending steps of the failed attempt
    const attempt = this.#s.attempt;
    const delay =
      info.retry === 'manual'
        ? null
        : info.retry === 'slow'
          ? backoffDelay(attempt, {
              baseMs: this.#cfg.slowRetryBaseMs,
              maxMs: this.#cfg.slowRetryMaxMs,
              random: this.#d.random,
            })
          : backoffDelay(attempt, {
              baseMs: this.#cfg.retryBaseMs,
              maxMs: this.#cfg.retryMaxMs,
              random: this.#d.random,
            });
    const online = this.#d.isOnline?.() ?? true;
    this.#patch({
      status: online ? 'error' : 'offline',
      error: online ? info : { ...info, code: 'offline' },
      attempt: attempt + 1,
      retryAt: delay == null ? null : this.#now() + delay,
    });
    if (delay != null) {
      const gen = this.#gen;
      this.#retryTimer = setTimeout(() => {
        this.#retryTimer = null;
        if (gen === this.#gen && this.#s.role === 'owner') void this.#boot();
      }, delay);
    }
  }

  #attach(device: PhoneDevice, gen: number): void {
    this.#device = device;
    this.#wasRegistered = false;
    const live = () => gen === this.#gen && this.#device === device;
    this.#deviceOff = [
      device.on('error', (e) => live() && this.#onDeviceError(e, gen)),
      device.on('registered', () => live() && this.#onRegistered(gen)),
      device.on('unregistered', () => live() && this.#onUnregistered(gen)),
      device.on('incoming', (call) => {
        if (live()) this.#onIncoming(call);
        else call.reject();
      }),
      device.on('tokenWillExpire', () => {
        if (live()) void this.#refresher.refreshNow('will-expire');
      }),
    ];
    if (device.audio) {
      const audio = device.audio;
      this.#deviceOff.push(audio.onChange(() => live() && this.#patch({ audio: audioView(audio) })));
    }
    this.#patch({ kind: device.kind, audio: audioView(device.audio) });
  }

  #onRegistered(gen: number): void {
    if (gen !== this.#gen) return;
    // register() resolving and the "registered" event report the same thing: act once.
    if (this.#s.status === 'ready' && !this.#s.error) return;
    const again = this.#wasRegistered;
    this.#wasRegistered = true;
    this.#clearWatchdog();
    this.#clearRetry();
    this.#patch({ status: 'ready', error: null, attempt: 0, retryAt: null });
    // Registered again on the same device after a break: the token may have aged meanwhile.
    if (again) void this.#refresher.refreshNow('reconnect');
  }

  #onUnregistered(gen: number): void {
    if (this.#s.status === 'ready') this.#patch({ status: 'offline' });
    this.#armWatchdog(gen);
  }

  #onDeviceError(err: DeviceError, gen: number): void {
    const info = classifyError(err);
    const s = this.#s;
    if (s.status === 'connecting') {
      // register() may never settle after this: give up on this device now.
      this.#fail(err);
      return;
    }
    if (typeof info.code === 'number' && TOKEN_EXPIRED_CODES.has(info.code)) {
      if (callActive(s)) void this.#refresher.refreshNow('will-expire');
      else this.#fail(err);
      return;
    }
    this.#patch({ error: info });
    if (this.#device && !this.#device.isRegistered()) {
      if (s.status === 'ready') this.#patch({ status: 'offline' });
      this.#armWatchdog(gen);
    } else {
      // Still registered: a passing problem. Do not leave its notice up forever.
      if (this.#notice) clearTimeout(this.#notice);
      this.#notice = setTimeout(() => {
        this.#notice = null;
        if (gen === this.#gen && this.#s.status === 'ready' && this.#s.error === info) {
          this.#patch({ error: null });
        }
      }, this.#cfg.noticeMs);
    }
  }

  // If the SDK does not get back to "registered" by itself, rebuild the device.
  #armWatchdog(gen: number): void {
    if (this.#watchdog) return;
    this.#watchdog = setTimeout(() => {
      this.#watchdog = null;
      if (gen !== this.#gen || this.#s.status === 'ready' || this.#destroyed) return;
      if (callActive(this.#s)) this.#armWatchdog(gen);
      else this.#fail(new AppError('register-timeout'));
    }, this.#cfg.watchdogMs);
  }

  #clearWatchdog(): void {
    if (this.#watchdog) clearTimeout(this.#watchdog);
    this.#watchdog = null;
  }

  #clearRetry(): void {
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
  }

  #teardownDevice(): void {
    this.#clearRetry();
    this.#clearWatchdog();
    this.#refresher.stop();
    const c = this.#s.call;
    if (c && c.phase !== 'ended') this.#endCall(c.seq, 'error');
    this.#unbindCall();
    for (const off of this.#deviceOff) off();
    this.#deviceOff = [];
    const device = this.#device;
    this.#device = null;
    if (device) {
      try {
        device.destroy();
      } catch {
        // Destroying twice is harmless.
      }
    }
    if (this.#s.audio || this.#s.kind) this.#patch({ audio: null, kind: null });
  }

  #teardown(): void {
    this.#gen++;
    this.#teardownDevice();
  }

  // ---- browser signals -------------------------------------------------------------------

  /** The tab became visible: catch up on the token and check the registration. */
  onVisible(): void {
    if (this.#s.role !== 'owner') return;
    this.#refresher.onVisible();
    this.#recover();
  }

  /** The network came back. */
  onOnline(): void {
    if (this.#s.role !== 'owner') return;
    this.#recover();
  }

  /** The browser says the network is gone. */
  onOffline(): void {
    if (this.#s.role !== 'owner' || this.#s.status !== 'ready') return;
    this.#patch({ status: 'offline', error: classifyError(new AppError('offline')) });
    this.#armWatchdog(this.#gen);
  }

  /** The page is being hidden for good (or frozen): tell the server we left. */
  onPageHide(): void {
    if (this.#s.role === 'owner') this.#presence.leave();
  }

  /** The page came back from the back/forward cache. */
  onPageShow(): void {
    this.#sync();
  }

  #recover(): void {
    const s = this.#s;
    if (callActive(s)) return;
    if (s.status === 'offline' || (s.status === 'error' && s.error?.retry === 'auto')) {
      this.retryNow();
      return;
    }
    const device = this.#device;
    if (s.status === 'ready' && device && !device.isRegistered()) {
      const gen = this.#gen;
      this.#patch({ status: 'offline' });
      withTimeout(device.register(), this.#cfg.registerTimeoutMs, 'register-timeout').then(
        () => this.#onRegistered(gen),
        (err: unknown) => {
          if (gen === this.#gen && !callActive(this.#s)) this.#fail(err);
        },
      );
    }
  }

  // ---- tabs --------------------------------------------------------------------------------

  /** (Follower) ask the owner tab to hand the phone over to this tab. */
  requestHandover(): void {
    if (this.#s.role !== 'follower') return;
    if (this.#d.election.requestHandover()) this.#patch({ handover: 'pending' });
  }

  #onHandoverRequest(from: string): void {
    if (callActive(this.#s)) {
      this.#d.election.denyHandover(from);
      return;
    }
    this.#teardown();
    this.#patch({ status: 'idle', error: null, retryAt: null });
    this.#d.election.grantHandover(from);
  }

  // ---- calls -------------------------------------------------------------------------------

  /** Normalises and dials a number. Fails fast (no call) when the number or the phone is not ok. */
  dial(input: string): DialResult {
    const n = normalizeNumber(input, this.#d.defaultCountry());
    if (!n.ok) return n;
    const s = this.#s;
    const device = this.#device;
    if (s.role !== 'owner' || s.status !== 'ready' || !device) {
      return { ok: false, problem: 'not-ready' };
    }
    if (callActive(s)) return { ok: false, problem: 'busy' };
    const seq = ++this.#seq;
    this.#hangupRequested = false;
    this.#d.storage?.setItem(KEY_LAST, n.e164);
    this.#patch({ lastNumber: n.e164, call: newCall(seq, 'outgoing', n.e164) });
    const pending = device.connect(n.e164);
    withTimeout(pending, this.#cfg.connectTimeoutMs, 'connect-timeout').then(
      (call) => {
        const c = this.#s.call;
        if (c && c.seq === seq && c.phase === 'outgoing') this.#bindCall(call, seq);
        else call.disconnect(); // hung up while connecting
      },
      (err: unknown) => {
        this.#endCall(seq, 'error', classifyError(err));
        pending.then(
          (late) => late.disconnect(),
          () => undefined,
        );
      },
    );
    return { ok: true, e164: n.e164 };
  }

  /** Dials the last dialled number. */
  redial(): DialResult {
    const last = this.#s.lastNumber;
    return last ? this.dial(last) : { ok: false, problem: 'empty' };
  }

  accept(): void {
    const c = this.#s.call;
    if (!c || c.phase !== 'incoming' || c.answering || !this.#call) return;
    this.#patchCall(c.seq, { answering: true });
    try {
      this.#call.accept();
    } catch (err) {
      this.#endCall(c.seq, 'error', classifyError(err));
    }
  }

  reject(): void {
    const c = this.#s.call;
    if (!c || c.phase !== 'incoming') return;
    const call = this.#call;
    this.#endCall(c.seq, 'rejected');
    try {
      call?.reject();
    } catch {
      // Already gone.
    }
  }

  hangup(): void {
    const c = this.#s.call;
    if (!c || c.phase === 'ended') return;
    if (c.phase === 'incoming') {
      this.reject();
      return;
    }
    this.#hangupRequested = true;
    const call = this.#call;
    this.#endCall(c.seq, 'hangup');
    try {
      call?.disconnect();
    } catch {
      // Already gone.
    }
  }

  toggleMute(): void {
    const c = this.#s.call;
    if (!c || !this.#call || (c.phase !== 'in-call' && c.phase !== 'outgoing')) return;
    const muted = !c.muted;
    this.#call.mute(muted);
    this.#patchCall(c.seq, { muted });
  }

  /** Sends DTMF digits (0-9 * #) in a connected call. */
  sendDigits(digits: string): boolean {
    const c = this.#s.call;
    if (!c || c.phase !== 'in-call' || !this.#call || !DTMF.test(digits)) return false;
    this.#call.sendDigits(digits);
    this.#patchCall(c.seq, { digits: c.digits + digits });
    return true;
  }

  setAway(away: boolean): void {
    this.#d.storage?.setItem(KEY_AWAY, away ? '1' : '0');
    this.#patch({ away });
  }

  async setInput(id: string): Promise<void> {
    const audio = this.#device?.audio;
    if (!audio) return;
    await audio.setInput(id);
    this.#patch({ audio: audioView(audio) });
  }

  async setOutput(id: string): Promise<void> {
    const audio = this.#device?.audio;
    if (!audio) return;
    await audio.setOutput(id);
    this.#patch({ audio: audioView(audio) });
  }

  #onIncoming(call: PhoneCall): void {
    if (callActive(this.#s)) {
      call.reject(); // one call at a time
      return;
    }
    const seq = ++this.#seq;
    this.#hangupRequested = false;
    this.#bindCall(call, seq);
    const view = newCall(seq, 'incoming', call.remote);
    this.#patch({ call: view });
    this.events.emit('incoming', view);
  }

  #bindCall(call: PhoneCall, seq: number): void {
    this.#unbindCall();
    this.#call = call;
    const warnings = () => this.#s.call?.warnings ?? [];
    this.#callOff = [
      call.on('ringing', () => this.#patchCall(seq, { ringing: true })),
      call.on('accept', () =>
        this.#patchCall(seq, {
          phase: 'in-call',
          acceptedAt: this.#now(),
          ringing: false,
          answering: false,
        }),
      ),
      call.on('disconnect', () => this.#endCall(seq, this.#hangupRequested ? 'hangup' : 'remote')),
      call.on('cancel', () => this.#endCall(seq, 'missed')),
      call.on('reject', () => this.#endCall(seq, 'rejected')),
      call.on('mute', (muted) => this.#patchCall(seq, { muted })),
      call.on('warning', (name) => {
        if (!warnings().includes(name)) this.#patchCall(seq, { warnings: [...warnings(), name] });
      }),
      call.on('warning-cleared', (name) =>
        this.#patchCall(seq, { warnings: warnings().filter((w) => w !== name) }),
      ),
      call.on('reconnecting', () => this.#patchCall(seq, { reconnecting: true })),
      call.on('reconnected', () => this.#patchCall(seq, { reconnecting: false })),
      call.on('error', (err) => this.#onCallError(seq, err)),
    ];
  }

  #onCallError(seq: number, err: DeviceError): void {
    const c = this.#s.call;
    if (!c || c.seq !== seq || c.phase === 'ended') return;
    const info = classifyError(err);
    // 31005 right after a hang-up (ours or theirs) is the gateway closing: not worth an alarm.
    if (info.code === SPURIOUS_ON_HANGUP && (c.phase === 'in-call' || this.#hangupRequested)) {
      return;
    }
    const fatal =
      c.phase !== 'in-call' || (typeof info.code === 'number' && MICROPHONE_CODES.has(info.code));
    if (!fatal) {
      this.#patchCall(seq, { error: info });
      return;
    }
    const call = this.#call;
    this.#endCall(seq, 'error', info);
    try {
      call?.disconnect();
    } catch {
      // Already gone.
    }
  }

  #endCall(seq: number, reason: EndReason, error: PhoneErrorInfo | null = null): void {
    const c = this.#s.call;
    if (!c || c.seq !== seq || c.phase === 'ended') return;
    this.#unbindCall();
    const view: CallView = {
      ...c,
      phase: 'ended',
      endReason: reason,
      endedAt: this.#now(),
      error: error ?? (reason === 'error' ? c.error : null),
      ringing: false,
      answering: false,
      reconnecting: false,
      warnings: [],
    };
    this.#patch({ call: view });
    this.events.emit('call-ended', view);
    if (this.#linger) clearTimeout(this.#linger);
    this.#linger = setTimeout(() => {
      this.#linger = null;
      if (this.#s.call?.seq === seq && this.#s.call.phase === 'ended') this.#patch({ call: null });
    }, this.#cfg.endedLingerMs);
  }

  #unbindCall(): void {
    for (const off of this.#callOff) off();
    this.#callOff = [];
    this.#call = null;
  }
}
