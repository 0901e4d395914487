// PhoneDevice over @twilio/voice-sdk. This module is only reached through a dynamic import, so
// the SDK (about 46 KB gzip) is downloaded when the agent first opens the webphone.
import { Call, Device } from '@twilio/voice-sdk';
import type { TokenInfo } from '../api/types';
import { Emitter } from '../util/emitter';
import type {
  AudioDeviceInfo,
  CallEvents,
  DeviceError,
  DeviceEvents,
  PhoneAudio,
  PhoneCall,
  PhoneDevice,
} from './device';
import { AppError } from './errors';
import { sdkSounds, type ToneLibrary } from './tones';

export interface TwilioDeviceOptions {
  /** Text of the browser's "leave page?" prompt during a call (true = browser default). */
  closeProtection?: string | boolean;
  /** Where the ring, progress and DTMF sounds come from (instead of Twilio's CDN). */
  tones: ToneLibrary;
}

/** Creates a Device for `token`. Error listeners are attached before anything can fail. */
export function createTwilioDevice(token: TokenInfo, opts: TwilioDeviceOptions): PhoneDevice {
  if (!Device.isSupported) throw new AppError('unsupported-browser');
  const device = new Device(token.token, {
    codecPreferences: [Call.Codec.Opus, Call.Codec.PCMU],
    closeProtection: opts.closeProtection ?? true,
    logLevel: 'warn',
    // tokenWillExpire 60 s before expiry; the controller also refreshes at 80 % of the ttl.
    tokenRefreshMs: 60_000,
    enableImprovedSignalingErrorPrecision: true,
    allowIncomingWhileBusy: false,
    appName: 'ramal',
    sounds: sdkSounds(opts.tones),
  });
  return new TwilioPhoneDevice(device);
}

class TwilioPhoneDevice implements PhoneDevice {
  readonly kind = 'twilio' as const;
  readonly #device: Device;
  readonly #events = new Emitter<DeviceEvents>();
  readonly #calls = new WeakMap<Call, TwilioPhoneCall>();
  readonly audio: PhoneAudio | null;

  constructor(device: Device) {
    this.#device = device;
    // Without an error listener the SDK turns every error into an uncaught page error.
    device.on('error', (err: DeviceError, call?: Call) => {
      const wrapped = call ? this.#calls.get(call) : undefined;
      if (wrapped) wrapped.reportError(err);
      else this.#events.emit('error', err);
    });
    device.on('registered', () => this.#events.emit('registered'));
    device.on('unregistered', () => this.#events.emit('unregistered'));
    device.on('tokenWillExpire', () => this.#events.emit('tokenWillExpire'));
    device.on('incoming', (call: Call) => this.#events.emit('incoming', this.#wrap(call)));
    this.audio = device.audio ? new TwilioAudio(device) : null;
  }

  #wrap(call: Call): TwilioPhoneCall {
    let wrapped = this.#calls.get(call);
    if (!wrapped) {
      wrapped = new TwilioPhoneCall(call);
      this.#calls.set(call, wrapped);
    }
    return wrapped;
  }

  on: PhoneDevice['on'] = (event, fn) => this.#events.on(event, fn);

  register(): Promise<void> {
    return this.#device.register();
  }

  isRegistered(): boolean {
    return this.#device.state === Device.State.Registered;
  }

  async connect(to: string): Promise<PhoneCall> {
    const call = await this.#device.connect({ params: { To: to } });
    return this.#wrap(call);
  }

  updateToken(token: TokenInfo): void {
    this.#device.updateToken(token.token);
  }

  destroy(): void {
    this.#events.clear();
    try {
      this.#device.destroy();
    } catch {
      // Already destroyed.
    }
  }
}

class TwilioPhoneCall implements PhoneCall {
  readonly #call: Call;
  readonly #events = new Emitter<CallEvents>();
  readonly #seen = new WeakSet<object>();
  readonly direction: 'inbound' | 'outbound';
  readonly remote: string;

  constructor(call: Call) {
    this.#call = call;
    this.direction = call.direction === Call.CallDirection.Incoming ? 'inbound' : 'outbound';
    // The server passes the PSTN caller as a <Parameter name="caller">; From is the fallback.
    this.remote =
      this.direction === 'inbound'
        ? (call.customParameters.get('caller') ?? call.parameters.From ?? '')
        : (call.customParameters.get('To') ?? '');
    call.on('error', (err: DeviceError) => this.reportError(err));
    call.on('ringing', () => this.#events.emit('ringing'));
    call.on('accept', () => this.#events.emit('accept'));
    call.on('disconnect', () => this.#events.emit('disconnect'));
    call.on('cancel', () => this.#events.emit('cancel'));
    call.on('reject', () => this.#events.emit('reject'));
    call.on('mute', (muted: boolean) => this.#events.emit('mute', muted));
    call.on('warning', (name: string) => this.#events.emit('warning', name));
    call.on('warning-cleared', (name: string) => this.#events.emit('warning-cleared', name));
    call.on('reconnecting', () => this.#events.emit('reconnecting'));
    call.on('reconnected', () => this.#events.emit('reconnected'));
  }

  /** The SDK may report one error on both the call and the device: emit it once. */
  reportError(err: DeviceError): void {
    if (err && typeof err === 'object') {
      if (this.#seen.has(err)) return;
      this.#seen.add(err);
    }
    this.#events.emit('error', err);
  }

  on: PhoneCall['on'] = (event, fn) => this.#events.on(event, fn);

  sid(): string | null {
    return this.#call.parameters.CallSid ?? null;
  }

  accept(): void {
    this.#call.accept();
  }

  reject(): void {
    this.#call.reject();
  }

  disconnect(): void {
    this.#call.disconnect();
  }

  mute(muted: boolean): void {
    this.#call.mute(muted);
  }

  isMuted(): boolean {
    return this.#call.isMuted();
  }

  sendDigits(digits: string): void {
    this.#call.sendDigits(digits);
  }
}

class TwilioAudio implements PhoneAudio {
  readonly #device: Device;

  constructor(device: Device) {
    this.#device = device;
  }

  get #audio() {
    const audio = this.#device.audio;
    if (!audio) throw new AppError('unsupported-browser');
    return audio;
  }

  get outputSelectable(): boolean {
    return this.#device.audio?.isOutputSelectionSupported ?? false;
  }

  inputs(): AudioDeviceInfo[] {
    return list(this.#device.audio?.availableInputDevices);
  }

  outputs(): AudioDeviceInfo[] {
    return list(this.#device.audio?.availableOutputDevices);
  }

  selectedInput(): string | null {
    return this.#device.audio?.inputDevice?.deviceId ?? null;
  }

  selectedOutput(): string | null {
    const first = this.#device.audio?.speakerDevices.get().values().next();
    return first && !first.done ? first.value.deviceId : null;
  }

  setInput(id: string): Promise<void> {
    return this.#audio.setInputDevice(id);
  }

  async setOutput(id: string): Promise<void> {
    await this.#audio.speakerDevices.set(id);
    await this.#audio.ringtoneDevices.set(id);
  }

  onChange(fn: () => void): () => void {
    const audio = this.#device.audio;
    if (!audio) return () => undefined;
    audio.on('deviceChange', fn);
    return () => {
      audio.off('deviceChange', fn);
    };
  }
}

function list(map: Map<string, MediaDeviceInfo> | undefined): AudioDeviceInfo[] {
  if (!map) return [];
  return [...map.values()].map((d, i) => ({ id: d.deviceId, label: d.label || `#${i + 1}` }));
}
