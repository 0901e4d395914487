import { describe, expect, it } from 'vitest';
import { phoneStatus } from '../src/components/phone/status';
import { initialPhoneState, type CallView, type PhoneState } from '../src/phone/phone-state';

const base: PhoneState = { ...initialPhoneState, started: true, role: 'owner', status: 'ready' };
const call = (phase: CallView['phase']): CallView => ({
  seq: 1, phase, direction: 'outbound', number: '+5531999999999', ringing: false, answering: false,
  reconnecting: false, acceptedAt: null, endedAt: null, muted: false, warnings: [], error: null, endReason: null, digits: '',
});

describe('phoneStatus (dot colour and words)', () => {
  it.each<[Partial<PhoneState>, string, string]>([
    [{ started: false, role: 'none', status: 'idle' }, 'off', 'phone.status.off'],
    [{ status: 'connecting' }, 'connecting', 'phone.status.connecting'],
    [{}, 'ready', 'phone.status.ready'],
    [{ away: true }, 'away', 'phone.status.away'],
    [{ status: 'offline' }, 'offline', 'phone.status.offline'],
    [{ status: 'error' }, 'error', 'phone.status.error'],
    [{ call: call('incoming') }, 'busy', 'phone.status.ringing'],
    [{ call: call('in-call') }, 'busy', 'phone.status.inCall'],
    [{ call: call('ended') }, 'ready', 'phone.status.ready'],
    [{ role: 'follower', remote: { status: 'ready', callPhase: null, number: null, away: false } }, 'remote', 'phone.status.follower'],
    [{ role: 'follower', remote: { status: 'ready', callPhase: 'in-call', number: null, away: false } }, 'busy', 'phone.status.remoteInCall'],
    [{ started: false, role: 'none', status: 'idle', remote: { status: 'ready', callPhase: null, number: null, away: false } }, 'remote', 'phone.status.follower'],
  ])('%o -> %s', (patch, dot, key) => {
    expect(phoneStatus({ ...base, ...patch })).toEqual({ dot, key });
  });
});
