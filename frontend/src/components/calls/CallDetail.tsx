// Side panel with everything about one call: legs, recordings (player, Drive link, filing state
// and last error) and a call-back button.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Call } from '../../api/types';
import { useApp, useT } from '../../app/context';
import { isHiddenNumber } from '../../phone/number';
import { RecordingPlayer } from './RecordingPlayer';
import { directionLabel, numberLabel, otherParty, statusLabel } from './labels';

interface Props {
  call: Call;
  country: string;
  onClose: () => void;
  onCall: (number: string) => void;
  /** Fetch the call again (fresh signed recording links). */
  onRefresh: (sid: string) => void;
}

export function CallDetail({ call, country, onClose, onCall, onRefresh }: Props) {
  const t = useT();
  const { i18n } = useApp();
  const heading = useRef<HTMLHeadingElement>(null);
  const refreshed = useRef(new Set<string>());
  const [, setTick] = useState(0);
  const number = otherParty(call);
  const label = numberLabel(t, number, country);

  useEffect(() => {
    heading.current?.focus();
  }, [call.id]);

  const expired = (sid: string) => {
    // One refresh per recording: a link that fails again is really unavailable.
    if (refreshed.current.has(sid)) return;
    refreshed.current.add(sid);
    setTick((n) => n + 1);
    onRefresh(call.call_sid);
  };

  const recordings =
    call.recordings.length > 0
      ? call.recordings
      : call.recording_sid
        ? [
            {
              recording_sid: call.recording_sid,
              status: 'completed',
              duration: null,
              channels: null,
              is_voicemail: call.voicemail,
              playback_url: call.recording_url,
              drive_file_url: call.drive_file_url,
              filing: null,
              last_error: null,
            },
          ]
        : [];

  return (
    <aside
      class="call-detail card"
      aria-labelledby="call-detail-title"
      data-testid="call-detail"
      onKeyDown={(e) => {
        if (e.key === 'Escape') onClose();
      }}
    >
      <div class="detail-head">
        <h2 id="call-detail-title" tabIndex={-1} ref={heading}>
          {label}
        </h2>
        <button
          type="button"
          class="btn btn-ghost"
          onClick={onClose}
          aria-label={t('common.close')}
          data-testid="call-detail-close"
        >
          ✕
        </button>
      </div>
      <dl class="facts">
        <dt>{t('calls.col.direction')}</dt>
        <dd>{directionLabel(t, call.direction)}</dd>
        <dt>{t('calls.col.status')}</dt>
        <dd>
          {statusLabel(t, call.status)}
          {call.voicemail && call.status !== 'voicemail' && (
            <span class="badge badge-voicemail">{t('calls.voicemail')}</span>
          )}
        </dd>
        <dt>{t('calls.col.agent')}</dt>
        <dd>{call.user_name ?? '—'}</dd>
        {call.contact_name && (
          <>
            <dt>{t('detail.contact')}</dt>
            <dd>{call.contact_name}</dd>
          </>
        )}
        <dt>{t('detail.from')}</dt>
        <dd>{numberLabel(t, call.from_number, country)}</dd>
        <dt>{t('detail.to')}</dt>
        <dd>{numberLabel(t, call.to_number, country)}</dd>
        <dt>{t('detail.started')}</dt>
        <dd>{i18n.dateTime(call.started_at ?? call.created_at)}</dd>
        {call.answered_at && (
          <>
            <dt>{t('detail.answered')}</dt>
            <dd>{i18n.dateTime(call.answered_at)}</dd>
          </>
        )}
        {call.ended_at && (
          <>
            <dt>{t('detail.ended')}</dt>
            <dd>{i18n.dateTime(call.ended_at)}</dd>
          </>
        )}
        <dt>{t('calls.col.duration')}</dt>
        <dd>{i18n.duration(call.duration) || '—'}</dd>
      </dl>

      {!isHiddenNumber(number) && !number.startsWith('client:') && (
        <button
          type="button"
          class="btn btn-primary"
          onClick={() => onCall(number)}
          data-testid="detail-call-back"
        >
          {t('calls.callBack', { number: label })}
        </button>
      )}

      <h3>{t('detail.recordings')}</h3>
      {recordings.length === 0 && <p class="muted">{t('detail.noRecordings')}</p>}
      <ul class="recordings">
        {recordings.map((r) => (
          <li key={r.recording_sid} data-testid="recording" data-recording-sid={r.recording_sid}>
            <div class="rec-meta">
              {r.is_voicemail && <span class="badge badge-voicemail">{t('calls.voicemail')}</span>}
              {r.duration != null && <span>{i18n.duration(r.duration)}</span>}
              {r.filing && (
                <span class={`badge filing-${r.filing}`} data-testid="filing-state" data-filing={r.filing}>
                  {t(`detail.filing.${r.filing}`)}
                </span>
              )}
            </div>
            {r.playback_url ? (
              <RecordingPlayer
                src={r.playback_url}
                label={t('detail.playRecording', { number: label })}
                onExpired={() => expired(r.recording_sid)}
              />
            ) : (
              <p class="muted">{t('detail.recordingUnavailable')}</p>
            )}
            {refreshed.current.has(r.recording_sid) && (
              <p class="muted small">{t('detail.linkRefreshed')}</p>
            )}
            {r.drive_file_url && (
              <a href={r.drive_file_url} target="_blank" rel="noopener noreferrer" data-testid="drive-link">
                {t('detail.drive')}
              </a>
            )}
            {r.last_error && (
              <p class="form-error small" data-testid="filing-error">
                {t('detail.lastError', { error: r.last_error })}
              </p>
            )}
          </li>
        ))}
      </ul>

      {call.legs.length > 0 && (
        <>
          <h3>{t('detail.legs')}</h3>
          <table class="legs">
            <thead>
              <tr>
                <th scope="col">{t('detail.from')}</th>
                <th scope="col">{t('detail.to')}</th>
                <th scope="col">{t('calls.col.status')}</th>
                <th scope="col">{t('calls.col.duration')}</th>
              </tr>
            </thead>
            <tbody>
              {call.legs.map((l) => (
                <tr key={l.call_sid}>
                  <td>{numberLabel(t, l.from, country)}</td>
                  <td>{numberLabel(t, l.to, country)}</td>
                  <td>{statusLabel(t, l.status)}</td>
                  <td>{i18n.duration(l.duration)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </aside>
  );
}
