// The webphone's observable state. Components render it; only the controller changes it.
import type { AudioDeviceInfo } from './device';
import type { PhoneErrorInfo } from './errors';
import type { SharedPhoneState, TabRole } from './tab-election';

/**
 * Registration status: idle (never started, or another tab owns the phone), connecting,
 * ready (registered), offline (lost the network or registration), error (retry scheduled).
 */
export type RegStatus = 'idle' | 'connecting' | 'ready' | 'offline' | 'error';

/** outgoing (dialling/ringing), incoming (ringing here), in-call, ended (shown briefly). */
export type CallPhase = 'outgoing' | 'incoming' | 'in-call' | 'ended';

export type EndReason = 'hangup' | 'remote' | 'missed' | 'rejected' | 'error';

export interface CallView {
  /** Local sequence number: distinguishes successive calls. */
  seq: number;
  phase: CallPhase;
  direction: 'inbound' | 'outbound';
  /** E.164 (or client identity) of the other party. */
  number: string;
  /** Outbound: the far end is ringing. */
  ringing: boolean;
  /** Inbound: accept() was called, waiting for the media to connect. */
  answering: boolean;
  /** Media reconnecting after a network blip. */
  reconnecting: boolean;
  /** ms epoch of the moment the call connected. */
  acceptedAt: number | null;
  endedAt: number | null;
  muted: boolean;
  /** Active call-quality warnings (SDK names). */
  warnings: string[];
  error: PhoneErrorInfo | null;
  endReason: EndReason | null;
  /** DTMF digits sent in this call. */
  digits: string;
}

export interface AudioView {
  inputs: AudioDeviceInfo[];
  outputs: AudioDeviceInfo[];
  outputSelectable: boolean;
  input: string | null;
  output: string | null;
}

export interface PhoneState {
  /** The agent started the phone (first open). */
  started: boolean;
  status: RegStatus;
  error: PhoneErrorInfo | null;
  /** Next automatic retry (ms epoch), when status is error. */
  retryAt: number | null;
  /** Consecutive failed attempts. */
  attempt: number;
  role: TabRole;
  /** Owner tab's state, when another tab owns the phone. */
  remote: SharedPhoneState | null;
  handover: 'idle' | 'pending' | 'denied';
  call: CallView | null;
  away: boolean;
  lastNumber: string | null;
  audio: AudioView | null;
  /** Device kind in use. */
  kind: 'twilio' | 'demo' | null;
}

export const initialPhoneState: PhoneState = {
  started: false,
  status: 'idle',
  error: null,
  retryAt: null,
  attempt: 0,
  role: 'none',
  remote: null,
  handover: 'idle',
  call: null,
  away: false,
  lastNumber: null,
  audio: null,
  kind: null,
};

/** True while a call exists that is not over. */
export function callActive(state: PhoneState): boolean {
  return state.call != null && state.call.phase !== 'ended';
}
