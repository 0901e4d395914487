// A call ringing here: the caller, their previous calls, accept / reject. Focus goes to
// "accept" so the agent can answer with Enter.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Call } from '../../api/types';
import { useApp, useT, useWorkspace } from '../../app/context';
import { digitsOnly, formatNumber, isHiddenNumber } from '../../phone/number';
import type { CallView } from '../../phone/phone-state';
import { statusLabel } from '../calls/labels';

export function IncomingCall({ call }: { call: CallView }) {
  const t = useT();
  const { api, i18n } = useApp();
  const ws = useWorkspace();
  const accept = useRef<HTMLButtonElement>(null);
  const [history, setHistory] = useState<Call[] | null>(null);
  const country = ws.settings.default_country_code || '55';
  const hidden = isHiddenNumber(call.number) || call.number.startsWith('client:');

  useEffect(() => {
    accept.current?.focus();
  }, [call.seq]);

  useEffect(() => {
    const digits = digitsOnly(call.number);
    if (hidden || !digits) return undefined;
    let alive = true;
    api.callLogs({ number: digits }, null, 5).then(
      (page) => {
        // The call that is ringing may already be listed: show only earlier ones.
        if (alive) setHistory(page.items.filter((c) => c.status !== 'ringing'));
      },
      () => alive && setHistory([]),
    );
    return () => {
      alive = false;
    };
  }, [call.seq]);

  const label = hidden && !call.number.startsWith('client:')
    ? t('calls.hiddenNumber')
    : formatNumber(call.number, country);

  return (
    <div class="incoming-call" data-testid="incoming-call" role="alertdialog" aria-labelledby="incoming-title" aria-describedby="incoming-number">
      <p id="incoming-title" class="call-phase">
        {t('call.incoming')}
      </p>
      <p id="incoming-number" class="call-party" data-testid="incoming-number">
        {label}
      </p>
      <div class="call-controls">
        <button
          ref={accept}
          type="button"
          class="btn btn-call"
          disabled={call.answering}
          onClick={() => ws.phone.accept()}
          data-testid="call-accept"
        >
          {call.answering ? t('call.answering') : t('call.accept')}
        </button>
        <button type="button" class="btn btn-hangup" onClick={() => ws.phone.reject()} data-testid="call-reject">
          {t('call.reject')}
        </button>
      </div>
      {!hidden && (
        <section class="caller-history" aria-label={t('call.previous')} data-testid="incoming-history">
          <h3>{t('call.previous')}</h3>
          {history == null ? (
            <p class="muted small">{t('common.loading')}</p>
          ) : history.length === 0 ? (
            <p class="muted small">{t('call.previousNone')}</p>
          ) : (
            <ul>
              {history.map((c) => (
                <li key={c.id} class="small">
                  {i18n.dateTime(c.created_at)} · {statusLabel(t, c.status)}
                  {c.user_name ? ` · ${c.user_name}` : ''}
                  {c.duration ? ` · ${i18n.duration(c.duration)}` : ''}
                </li>
              ))}
            </ul>
          )}
        </section>
      )}
    </div>
  );
}
