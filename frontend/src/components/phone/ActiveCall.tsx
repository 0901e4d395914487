// A call in progress (or being placed): who, how long, quality warnings, mute, DTMF, hang up.
import { useState } from 'preact/hooks';
import { useApp, useT, useWorkspace } from '../../app/context';
import { isMessageKey } from '../../i18n/keys';
import { errorKey } from '../../phone/errors';
import { formatNumber } from '../../phone/number';
import type { CallView } from '../../phone/phone-state';
import { Keypad } from './Keypad';
import { useNow } from './useNow';

export function ActiveCall({ call }: { call: CallView }) {
  const t = useT();
  const { i18n } = useApp();
  const ws = useWorkspace();
  const [pad, setPad] = useState(false);
  const inCall = call.phase === 'in-call';
  const now = useNow(inCall);
  const country = ws.settings.default_country_code || '55';
  const elapsed = call.acceptedAt ? Math.max(0, (now - call.acceptedAt) / 1000) : 0;
  const phaseText = inCall
    ? t('call.inCall')
    : call.ringing
      ? t('call.ringing')
      : t('call.dialing');

  return (
    <div
      class="active-call"
      data-testid="active-call"
      data-phase={call.phase}
      onKeyDown={(e) => {
        // Digits typed while the call has focus go out as DTMF.
        if (inCall && /^[0-9*#]$/.test(e.key) && !(e.target instanceof HTMLInputElement)) {
          ws.phone.sendDigits(e.key);
        }
      }}
    >
      <p class="call-party" data-testid="call-number">
        {formatNumber(call.number, country)}
      </p>
      <p class="call-phase" role="status">
        {phaseText}
        {inCall && (
          <>
            {' · '}
            <span class="timer" data-testid="call-timer" aria-label={t('call.duration')}>
              {i18n.duration(elapsed)}
            </span>
          </>
        )}
      </p>
      {call.reconnecting && (
        <p class="warning" role="status">
          {t('call.reconnecting')}
        </p>
      )}
      {call.warnings.length > 0 && (
        <ul class="warnings" aria-live="polite" data-testid="call-warnings">
          {call.warnings.map((w) => {
            const key = `warning.${w}`;
            return (
              <li key={w} class="warning" data-testid="call-warning" data-warning={w}>
                {isMessageKey(key) ? t(key) : t('warning.other', { name: w })}
              </li>
            );
          })}
        </ul>
      )}
      {call.error && (
        <p class="form-error small" role="alert" data-testid="call-error">
          {t(errorKey(call.error.code))}
        </p>
      )}
      {pad && inCall && (
        <>
          <Keypad onKey={(k) => ws.phone.sendDigits(k)} testPrefix="dtmf" label={t('call.keypad')} />
          {call.digits && (
            <p class="digits" data-testid="call-digits">
              {call.digits}
            </p>
          )}
        </>
      )}
      <div class="call-controls">
        <button
          type="button"
          class={`btn${call.muted ? ' btn-active' : ''}`}
          aria-pressed={call.muted}
          onClick={() => ws.phone.toggleMute()}
          data-testid="call-mute"
        >
          {call.muted ? t('call.unmute') : t('call.mute')}
        </button>
        <button
          type="button"
          class={`btn${pad ? ' btn-active' : ''}`}
          aria-pressed={pad}
          disabled={!inCall}
          onClick={() => setPad((v) => !v)}
          data-testid="call-keypad-toggle"
        >
          {t('call.keypad')}
        </button>
        <button
          type="button"
          class="btn btn-hangup"
          onClick={() => ws.phone.hangup()}
          data-testid="call-hangup"
        >
          {t('call.hangup')}
        </button>
      </div>
    </div>
  );
}
