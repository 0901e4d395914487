import { useApp, useT, useWorkspace } from '../../app/context';
import { errorKey } from '../../phone/errors';
import { formatNumber } from '../../phone/number';
import type { CallView } from '../../phone/phone-state';

/** The summary shown for a few seconds after a call. */
export function EndedCall({ call }: { call: CallView }) {
  const t = useT();
  const { i18n } = useApp();
  const ws = useWorkspace();
  const secs = call.acceptedAt && call.endedAt ? (call.endedAt - call.acceptedAt) / 1000 : null;
  return (
    <div class="ended-call" role="status" data-testid="call-ended" data-reason={call.endReason ?? ''}>
      <p class="call-party">{formatNumber(call.number, ws.settings.default_country_code || '55')}</p>
      <p>
        {t(`call.end.${call.endReason ?? 'remote'}`)}
        {secs != null && ` · ${i18n.duration(secs)}`}
      </p>
      {call.error && (
        <p class="form-error small" data-testid="call-error">
          {t(errorKey(call.error.code))}
          {call.error.rawCode && ` (${call.error.rawCode})`}
        </p>
      )}
    </div>
  );
}
