// Entry point: builds the app services (no globals beyond this function) and renders.
import { render } from 'preact';
import { ApiClient } from './api/client';
import { AppCtx, type AppServices } from './app/context';
import { App } from './app/App';
import { createRouter } from './app/router';
import { SessionStore } from './app/session';
import { I18n } from './i18n/i18n';
import { ptBR } from './i18n/pt-BR';
import './styles.css';

function localStorageOrNull(): Storage | null {
  try {
    const s = window.localStorage;
    s.getItem('ramal.probe');
    return s;
  } catch {
    return null; // disabled storage (privacy mode): the app works without persistence
  }
}

async function boot(root: HTMLElement): Promise<void> {
  const storage = localStorageOrNull();
  const i18n = new I18n(
    { fallback: ptBR, load: { en: () => import('./i18n/en').then((m) => m.en) } },
    storage,
  );
  await i18n.setLang(i18n.storedChoice() ?? i18n.lang.get(), false);
  const session = new SessionStore(storage);
  const api = new ApiClient({
    getToken: () => session.token(),
    onUnauthorized: () => session.clear(),
  });
  window.addEventListener('storage', (e) => {
    if (e.key === SessionStore.storageKey) session.reload();
  });
  const services: AppServices = { api, i18n, session, route: createRouter(window), storage };
  render(
    <AppCtx.Provider value={services}>
      <App />
    </AppCtx.Provider>,
    root,
  );
}

const root = document.getElementById('app');
if (root) void boot(root);
