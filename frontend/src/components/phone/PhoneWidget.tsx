// The floating webphone, bottom-right on every page. The first open starts the phone (creating
// the device after a click, as browsers require for audio); later it only shows and hides.
import { useEffect, useRef } from 'preact/hooks';
import { useStore, useT, useWorkspace } from '../../app/context';
import { errorKey } from '../../phone/errors';
import { formatNumber } from '../../phone/number';
import type { PhoneState } from '../../phone/phone-state';
import { ActiveCall } from './ActiveCall';
import { AudioSettings } from './AudioSettings';
import { Dialer } from './Dialer';
import { EndedCall } from './EndedCall';
import { IncomingCall } from './IncomingCall';
import { alertIncoming, askNotificationPermission, browserAlertEnv } from './incoming-alert';
import { phoneStatus } from './status';
import { useMicPermission } from './useMicPermission';
import { useNow } from './useNow';

export function PhoneWidget() {
  const ws = useWorkspace();
  const t = useT();
  const state = useStore(ws.phone.state);
  const ui = useStore(ws.phoneUi);
  const toggle = useRef<HTMLButtonElement>(null);
  const status = phoneStatus(state);

  // Ringing: open the panel, and alert if the tab is hidden, until the call stops ringing.
  useEffect(() => {
    let withdraw: (() => void) | null = null;
    const offIncoming = ws.phone.events.on('incoming', (call) => {
      ws.phoneUi.set({ ...ws.phoneUi.get(), open: true });
      withdraw?.();
      withdraw = alertIncoming(
        browserAlertEnv(),
        t('notify.incoming.title'),
        t('notify.incoming.body', { number: formatNumber(call.number, ws.settings.default_country_code) }),
        () => ws.phoneUi.set({ ...ws.phoneUi.get(), open: true }),
      );
    });
    const offState = ws.phone.state.subscribe((s) => {
      if (withdraw && s.call?.phase !== 'incoming') {
        withdraw();
        withdraw = null;
      }
    });
    return () => {
      offIncoming();
      offState();
      withdraw?.();
    };
  }, [t]);

  const open = () => {
    askNotificationPermission(browserAlertEnv());
    ws.openPhone();
  };
  const close = () => {
    ws.phoneUi.set({ ...ui, open: false });
    toggle.current?.focus();
  };

  return (
    <div class="phone-widget">
      {ui.open && (
        <section
          id="phone-panel"
          class="phone-panel card"
          aria-label={t('phone.title')}
          data-testid="phone-panel"
          onKeyDown={(e) => {
            if (e.key === 'Escape' && state.call?.phase !== 'incoming') close();
          }}
        >
          <header class="phone-head">
            <span class="phone-status" data-testid="phone-status" role="status">
              <span class={`dot dot-${status.dot}`} data-testid="phone-status-dot" data-status={status.dot} aria-hidden="true" />
              <span data-testid="phone-status-text">{t(status.key)}</span>
            </span>
            {state.role === 'owner' && (
              <button
                type="button"
                class={`btn btn-small${state.away ? ' btn-active' : ''}`}
                aria-pressed={state.away}
                onClick={() => ws.phone.setAway(!state.away)}
                data-testid="away-toggle"
              >
                {t('phone.away')}
              </button>
            )}
            <button type="button" class="btn btn-ghost btn-icon" onClick={close} aria-label={t('phone.close')} data-testid="phone-close">
              ✕
            </button>
          </header>
          <PhoneBody state={state} prefill={ui.prefill} />
        </section>
      )}
      <button
        ref={toggle}
        type="button"
        class="phone-toggle"
        aria-expanded={ui.open}
        aria-controls="phone-panel"
        onClick={() => (ui.open ? close() : open())}
        data-testid="phone-toggle"
      >
        <span class={`dot dot-${status.dot}`} aria-hidden="true" data-testid="phone-toggle-dot" data-status={status.dot} />
        <span>{t('phone.title')}</span>
        <span class="sr-only">{t(status.key)}</span>
      </button>
    </div>
  );
}

function PhoneBody({ state, prefill }: { state: PhoneState; prefill: string | null }) {
  const ws = useWorkspace();
  const t = useT();
  if (state.role === 'follower') return <FollowerView state={state} />;
  const call = state.call;
  const mic = useMicPermission(state.kind === 'twilio');
  const clearPrefill = () => ws.phoneUi.set({ ...ws.phoneUi.get(), prefill: null });
  return (
    <div class="phone-body">
      {mic === 'denied' && state.kind === 'twilio' && (
        <p class="notice notice-error" role="alert" data-testid="mic-denied">
          {t('error.31401')}
        </p>
      )}
      {state.status === 'connecting' && (
        <p class="muted" aria-live="polite">
          {t('phone.connecting')}
        </p>
      )}
      {(state.status === 'error' || state.status === 'offline' || (state.error && state.status === 'ready')) && (
        <ErrorNotice state={state} />
      )}
      {call?.phase === 'incoming' && <IncomingCall call={call} />}
      {(call?.phase === 'outgoing' || call?.phase === 'in-call') && <ActiveCall call={call} />}
      {call?.phase === 'ended' && <EndedCall call={call} />}
      {(!call || call.phase === 'ended') && (
        <Dialer
          enabled={state.status === 'ready' && state.role === 'owner'}
          lastNumber={state.lastNumber}
          prefill={prefill}
          onPrefillUsed={clearPrefill}
        />
      )}
      {state.audio && <AudioSettings audio={state.audio} />}
    </div>
  );
}

function ErrorNotice({ state }: { state: PhoneState }) {
  const ws = useWorkspace();
  const t = useT();
  const now = useNow(state.retryAt != null);
  const err = state.error;
  const secs = state.retryAt ? Math.max(0, Math.ceil((state.retryAt - now) / 1000)) : null;
  return (
    <div class={`notice notice-${state.status === 'ready' ? 'warn' : 'error'}`} role="alert" data-testid="phone-error" data-code={err ? String(err.code) : ''}>
      <p>
        {err ? t(errorKey(err.code)) : t('error.offline')}
        {err && typeof err.code === 'number' && <span class="muted"> ({err.code})</span>}
        {err?.rawCode && <span class="muted"> ({err.rawCode})</span>}
      </p>
      {state.status !== 'ready' && (
        <p class="small">
          {secs != null && <span data-testid="phone-retry-in">{t('phone.retryIn', { seconds: secs })} </span>}
          <button type="button" class="btn btn-small" onClick={() => ws.phone.retryNow()} data-testid="phone-retry">
            {t('phone.retryNow')}
          </button>
        </p>
      )}
    </div>
  );
}

function FollowerView({ state }: { state: PhoneState }) {
  const ws = useWorkspace();
  const t = useT();
  const r = state.remote;
  return (
    <div class="phone-body follower" data-testid="phone-follower">
      <p>{t('phone.follower.text')}</p>
      {r && (
        <p class="muted" data-testid="phone-remote-status" data-status={r.status}>
          {t(`phone.status.${r.status}`)}
          {r.callPhase && r.callPhase !== 'ended' && ` · ${t('phone.follower.inCall')}`}
        </p>
      )}
      <button
        type="button"
        class="btn"
        disabled={state.handover === 'pending'}
        onClick={() => ws.phone.requestHandover()}
        data-testid="phone-handover"
      >
        {state.handover === 'pending' ? t('phone.handover.pending') : t('phone.handover')}
      </button>
      {state.handover === 'denied' && (
        <p class="form-error small" role="alert">
          {t('phone.handover.denied')}
        </p>
      )}
    </div>
  );
}
