// The logged-in layout: top bar with navigation, the current page, the floating phone.
import { DemoBanner } from '../components/DemoBanner';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PhoneWidget } from '../components/phone/PhoneWidget';
import { AgentsPage } from '../pages/AgentsPage';
import { CallsPage } from '../pages/CallsPage';
import { SettingsPage } from '../pages/SettingsPage';
import { useApp, useStore, useT, useWorkspace } from './context';
import { routeHref, type Route } from './router';

export function Shell() {
  const { route } = useApp();
  const ws = useWorkspace();
  const t = useT();
  const current = useStore(route);
  const isAdmin = ws.agent.role === 'admin';
  const links: Array<[Route, string]> = [
    ['calls', t('nav.calls')],
    ...(isAdmin ? [['agents', t('nav.agents')] as [Route, string]] : []),
    ['settings', t('nav.settings')],
  ];
  const page =
    current === 'agents' && isAdmin ? (
      <AgentsPage />
    ) : current === 'settings' ? (
      <SettingsPage />
    ) : (
      <CallsPage />
    );
  return (
    <div class="shell">
      <a class="skip-link" href="#main">
        {t('nav.skip')}
      </a>
      <header class="topbar">
        <span class="brand">{t('app.name')}</span>
        <nav aria-label={t('nav.main')}>
          <ul class="nav-links">
            {links.map(([r, label]) => (
              <li key={r}>
                <a
                  href={routeHref(r)}
                  aria-current={r === current ? 'page' : undefined}
                  data-testid={`nav-${r}`}
                >
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="topbar-end">
          <LanguageSwitch />
          <span class="whoami" data-testid="whoami">
            {ws.agent.display_name || ws.agent.username}
          </span>
          <button type="button" class="btn btn-ghost" onClick={ws.logout} data-testid="logout">
            {t('nav.logout')}
          </button>
        </div>
      </header>
      {ws.settings.demo && <DemoBanner />}
      <main id="main" class="page" tabIndex={-1}>
        {page}
      </main>
      <PhoneWidget />
    </div>
  );
}
