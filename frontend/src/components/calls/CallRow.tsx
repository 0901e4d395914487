// One line of the call history (fixed height, rendered by the virtual list).
import type { Call } from '../../api/types';
import { hasRecording } from '../../api/call-filters';
import { useApp, useT } from '../../app/context';
import { isHiddenNumber } from '../../phone/number';
import { directionLabel, numberLabel, otherParty, statusLabel } from './labels';

const ARROWS: Record<string, string> = { inbound: '↙', outbound: '↗', internal: '↔' };

interface Props {
  call: Call;
  country: string;
  selected: boolean;
  onOpen: (call: Call) => void;
  onCall: (number: string) => void;
}

export function CallRow({ call, country, selected, onOpen, onCall }: Props) {
  const t = useT();
  const { i18n } = useApp();
  const number = otherParty(call);
  const label = numberLabel(t, number, country);
  const rec = hasRecording(call);
  const filing = call.recordings.find((r) => r.filing === 'dead')
    ? 'dead'
    : call.recordings.find((r) => r.filing === 'pending' || r.filing === 'running')
      ? 'pending'
      : null;
  return (
    <div
      class={`call-row${selected ? ' selected' : ''}`}
      data-testid="call-row"
      data-call-sid={call.call_sid}
      data-status={call.status}
      data-voicemail={call.voicemail ? 'true' : 'false'}
    >
      <span class={`dir dir-${call.direction}`} title={directionLabel(t, call.direction)}>
        <span aria-hidden="true">{ARROWS[call.direction] ?? '•'}</span>
        <span class="sr-only">{directionLabel(t, call.direction)}</span>
      </span>
      <button
        type="button"
        class="link-button call-number"
        onClick={() => onOpen(call)}
        aria-label={t('calls.openDetails', { number: label })}
        data-testid="call-open"
      >
        <span class="num">{label}</span>
        {call.contact_name && <span class="contact">{call.contact_name}</span>}
      </button>
      <span class="agent" data-testid="call-agent">
        {call.user_name ?? '—'}
      </span>
      <span class="status">
        <span class={`badge badge-${call.status}`}>{statusLabel(t, call.status)}</span>
        {call.voicemail && call.status !== 'voicemail' && (
          <span class="badge badge-voicemail" data-testid="voicemail-badge">
            {t('calls.voicemail')}
          </span>
        )}
      </span>
      <span class="duration">{i18n.duration(call.duration)}</span>
      <span class="date">{i18n.dateTime(call.created_at)}</span>
      <span class="rec">
        {rec && (
          <span
            class={`rec-icon${filing ? ` rec-${filing}` : ''}`}
            title={filing ? t(`detail.filing.${filing}`) : t('calls.hasRecording')}
            data-testid="call-has-recording"
          >
            <span aria-hidden="true">●</span>
            <span class="sr-only">{t('calls.hasRecording')}</span>
          </span>
        )}
      </span>
      <span class="actions">
        {!isHiddenNumber(number) && !number.startsWith('client:') && (
          <button
            type="button"
            class="btn btn-small"
            onClick={() => onCall(number)}
            aria-label={t('calls.callBack', { number: label })}
            data-testid="call-back"
          >
            {t('calls.call')}
          </button>
        )}
      </span>
    </div>
  );
}
