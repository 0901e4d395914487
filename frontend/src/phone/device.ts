// The seam between the webphone and a calling technology. Two implementations:
// twilio-device.ts wraps @twilio/voice-sdk's Device (loaded on first use) and demo-device.ts
// simulates calls through the server's demo endpoints. The controller only sees these types.
import type { TokenInfo } from '../api/types';

/** An error as devices report it: a Twilio error code, or one of the app's own codes. */
export interface DeviceError {
  code?: number | string;
  message?: string;
}

export type DeviceEvents = {
  /** Registered for incoming calls (also after a reconnection). */
  registered: [];
  /** No longer registered (network loss, signalling closed). */
  unregistered: [];
  /** A device-level error (calls report their own). */
  error: [DeviceError];
  incoming: [PhoneCall];
  /** The token expires soon: call updateToken. */
  tokenWillExpire: [];
};

export type CallEvents = {
  /** The remote side is ringing (outbound). */
  ringing: [];
  /** Media connected: the call is up. */
  accept: [];
  /** The call ended after being set up, by either side. */
  disconnect: [];
  /** An incoming call stopped ringing before it was answered here (caller hung up, answered elsewhere). */
  cancel: [];
  /** This side rejected an incoming call. */
  reject: [];
  mute: [muted: boolean];
  /** A call-quality warning started (Twilio names such as "high-rtt"). */
  warning: [name: string];
  'warning-cleared': [name: string];
  error: [DeviceError];
  reconnecting: [];
  reconnected: [];
};

/** Subscribe to an event; returns the unsubscribe function. */
export type On<E extends Record<string, unknown[]>> = <K extends keyof E>(
  event: K,
  fn: (...args: E[K]) => void,
) => () => void;

export interface PhoneCall {
  readonly direction: 'inbound' | 'outbound';
  /** The other party: the caller's number (inbound) or the dialled number (outbound). */
  readonly remote: string;
  /** The call SID, once known. */
  sid(): string | null;
  accept(): void;
  reject(): void;
  disconnect(): void;
  mute(muted: boolean): void;
  isMuted(): boolean;
  sendDigits(digits: string): void;
  on: On<CallEvents>;
}

export interface AudioDeviceInfo {
  id: string;
  label: string;
}

/** Microphone and speaker choice, where the browser allows it. */
export interface PhoneAudio {
  inputs(): AudioDeviceInfo[];
  outputs(): AudioDeviceInfo[];
  /** Whether the output (speaker) can be chosen (setSinkId). */
  readonly outputSelectable: boolean;
  selectedInput(): string | null;
  selectedOutput(): string | null;
  setInput(id: string): Promise<void>;
  setOutput(id: string): Promise<void>;
  onChange(fn: () => void): () => void;
}

export interface PhoneDevice {
  readonly kind: 'twilio' | 'demo';
  /** Registers for incoming calls. May never settle when offline: always wrap in a time-out. */
  register(): Promise<void>;
  isRegistered(): boolean;
  /** Places a call to an E.164 number. May never settle when offline. */
  connect(to: string): Promise<PhoneCall>;
  updateToken(token: TokenInfo): void;
  /** Drops calls, unregisters and releases everything; the device is unusable afterwards. */
  destroy(): void;
  on: On<DeviceEvents>;
  /** Audio routing, or null when not applicable (demo) or not supported. */
  readonly audio: PhoneAudio | null;
}

/** Builds a device for a token; the real one is loaded with a dynamic import. */
export type DeviceFactory = (token: TokenInfo) => Promise<PhoneDevice>;
