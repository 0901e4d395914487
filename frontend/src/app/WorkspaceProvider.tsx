// After login: loads the agent and the settings, then builds the workspace (live stream, phone
// controller) and wires it to the browser's signals. Everything is torn down on logout.
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { EventStream } from '../api/events';
import type { Agent, Settings } from '../api/types';
import { isLang } from '../i18n/i18n';
import { PhoneController } from '../phone/controller';
import { browserElectionEnv, createElection } from '../phone/election-factory';
import { deviceFactory } from '../phone/load-device';
import { Store } from '../util/store';
import { WorkspaceCtx, useApp, useT, type AppServices, type PhoneUi, type Workspace } from './context';
import type { Session } from './session';

const KEY_ENABLED = 'ramal.phone.enabled';

interface Loaded {
  agent: Agent;
  settings: Settings;
}

export function WorkspaceProvider(props: { session: Session; children: ComponentChildren }) {
  const app = useApp();
  const t = useT();
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let alive = true;
    setError(null);
    Promise.all([app.api.me(), app.api.settings()]).then(
      ([agent, settings]) => {
        if (!alive) return;
        app.session.updateAgent(agent);
        if (!app.i18n.hasChoice() && isLang(settings.language)) {
          void app.i18n.setLang(settings.language, false);
        }
        setLoaded({ agent, settings });
      },
      (err: unknown) => {
        if (alive) setError(err instanceof Error ? err.message : String(err));
      },
    );
    return () => {
      alive = false;
    };
  }, [attempt]);

  const workspace = useMemo(
    () => (loaded ? buildWorkspace(app, loaded) : null),
    [loaded],
  );

  useEffect(() => {
    if (!workspace) return undefined;
    return wire(workspace, app.storage);
  }, [workspace]);

  if (error) {
    return (
      <main class="center-page">
        <p role="alert">{t('app.loadError', { message: error })}</p>
        <button type="button" class="btn" onClick={() => setAttempt((n) => n + 1)}>
          {t('common.retry')}
        </button>{' '}
        <button type="button" class="btn btn-ghost" onClick={() => app.session.clear()}>
          {t('nav.logout')}
        </button>
      </main>
    );
  }
  if (!workspace) {
    return (
      <main class="center-page" aria-busy="true">
        <p>{t('common.loading')}</p>
      </main>
    );
  }
  return <WorkspaceCtx.Provider value={workspace}>{props.children}</WorkspaceCtx.Provider>;
}

function buildWorkspace(app: AppServices, { agent, settings }: Loaded): Workspace {
  const stream = new EventStream({ url: app.api.url('/api/events') });
  const phone = new PhoneController({
    createDevice: deviceFactory({
      demo: settings.demo,
      api: app.api,
      stream,
      agentId: agent.id,
      closeProtection: () => app.i18n.t('phone.closeProtection'),
    }),
    fetchToken: () => app.api.voiceToken(),
    presence: app.api,
    election: createElection(agent.id, browserElectionEnv()),
    defaultCountry: () => settings.default_country_code || '55',
    storage: app.storage,
    isOnline: () => navigator.onLine !== false,
  });
  const phoneUi = new Store<PhoneUi>({ open: false, prefill: null });
  const openPhone = (prefill?: string) => {
    app.storage?.setItem(KEY_ENABLED, '1');
    phoneUi.set({ open: true, prefill: prefill ?? phoneUi.get().prefill });
    phone.start();
  };
  return {
    agent,
    settings,
    stream,
    phone,
    phoneUi,
    openPhone,
    callNumber(number: string) {
      const s = phone.state.get();
      if (s.status === 'ready' && s.role === 'owner' && phone.dial(number).ok) {
        phoneUi.set({ open: true, prefill: null });
        return;
      }
      openPhone(number);
    },
    logout() {
      void app.api.logout().catch(() => undefined);
      app.session.clear();
    },
  };
}

// Browser signals -> stream and phone. Returns the cleanup run on logout.
function wire(ws: Workspace, storage: Storage | null): () => void {
  const { phone, stream } = ws;
  stream.start();
  const onVisibility = () => {
    if (document.visibilityState === 'visible') {
      phone.onVisible();
      stream.kick();
    }
  };
  const onOnline = () => {
    phone.onOnline();
    stream.kick();
  };
  const onOffline = () => phone.onOffline();
  const onPageHide = () => phone.onPageHide();
  const onPageShow = (e: PageTransitionEvent) => {
    if (e.persisted) phone.onPageShow();
  };
  document.addEventListener('visibilitychange', onVisibility);
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  window.addEventListener('pagehide', onPageHide);
  window.addEventListener('pageshow', onPageShow);

  // An agent who used the phone before gets it back on the first interaction with the page:
  // browsers only allow audio after a gesture, and waiting for the phone button would miss calls.
  const autostart = () => phone.start();
  const autoEvents = ['pointerdown', 'keydown'] as const;
  if (storage?.getItem(KEY_ENABLED) === '1') {
    for (const ev of autoEvents) document.addEventListener(ev, autostart, { once: true, capture: true });
  }

  return () => {
    document.removeEventListener('visibilitychange', onVisibility);
    window.removeEventListener('online', onOnline);
    window.removeEventListener('offline', onOffline);
    window.removeEventListener('pagehide', onPageHide);
    window.removeEventListener('pageshow', onPageShow);
    for (const ev of autoEvents) document.removeEventListener(ev, autostart, { capture: true });
    phone.destroy();
    stream.stop();
  };
}
