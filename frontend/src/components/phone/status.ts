// The words and colour of the phone's status dot.
import type { MessageKey } from '../../i18n/keys';
import type { PhoneState } from '../../phone/phone-state';

export type DotState = 'off' | 'connecting' | 'ready' | 'away' | 'busy' | 'offline' | 'error' | 'remote';

export function phoneStatus(s: PhoneState): { dot: DotState; key: MessageKey } {
  if (s.role === 'follower' || (s.role === 'none' && s.remote)) {
    const r = s.remote;
    if (r?.callPhase && r.callPhase !== 'ended') return { dot: 'busy', key: 'phone.status.remoteInCall' };
    return { dot: 'remote', key: 'phone.status.follower' };
  }
  if (!s.started || s.role === 'none') return { dot: 'off', key: 'phone.status.off' };
  if (s.call?.phase === 'incoming') return { dot: 'busy', key: 'phone.status.ringing' };
  if (s.call && s.call.phase !== 'ended') return { dot: 'busy', key: 'phone.status.inCall' };
  switch (s.status) {
    case 'ready':
      return s.away ? { dot: 'away', key: 'phone.status.away' } : { dot: 'ready', key: 'phone.status.ready' };
    case 'connecting':
      return { dot: 'connecting', key: 'phone.status.connecting' };
    case 'offline':
      return { dot: 'offline', key: 'phone.status.offline' };
    case 'error':
      return { dot: 'error', key: 'phone.status.error' };
    default:
      return { dot: 'off', key: 'phone.status.off' };
  }
}
