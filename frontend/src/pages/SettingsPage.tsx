// Settings as the server reports them: who rings for inbound calls, ring time-out, country code,
// allowed destinations, Twilio/demo status; plus the language and the agent's own password.
import { useEffect, useState } from 'preact/hooks';
import type { Agent } from '../api/types';
import { useApp, useT, useWorkspace } from '../app/context';
import { LanguageSwitch } from '../components/LanguageSwitch';
import { PasswordForm } from './AgentsPage';

export function SettingsPage() {
  const { api } = useApp();
  const ws = useWorkspace();
  const t = useT();
  const s = ws.settings;
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    if (ws.agent.role === 'admin') api.agents().then(setAgents, () => setAgents(null));
  }, []);

  const name = (id: number) => {
    const a = agents?.find((x) => x.id === id) ?? (id === ws.agent.id ? ws.agent : null);
    return a ? a.display_name || a.username : t('settings.agentId', { id });
  };

  return (
    <div class="settings-page">
      <h1>{t('settings.title')}</h1>
      <section class="card" aria-labelledby="inbound-title">
        <h2 id="inbound-title">{t('settings.inbound')}</h2>
        {s.inbound_group == null ? (
          <p data-testid="inbound-group">{t('settings.inbound.all')}</p>
        ) : s.inbound_group.length === 0 ? (
          <p data-testid="inbound-group">{t('settings.inbound.none')}</p>
        ) : (
          <ul data-testid="inbound-group">
            {s.inbound_group.map((id) => (
              <li key={id}>{name(id)}</li>
            ))}
          </ul>
        )}
        <p>{t('settings.ringTimeout', { seconds: s.ring_timeout_secs })}</p>
      </section>
      <section class="card" aria-labelledby="dial-title">
        <h2 id="dial-title">{t('settings.dialing')}</h2>
        <dl class="facts">
          <dt>{t('settings.country')}</dt>
          <dd>+{s.default_country_code}</dd>
          <dt>{t('settings.destinations')}</dt>
          <dd>{s.allowed_destinations.length ? s.allowed_destinations.join(', ') : t('settings.destinations.none')}</dd>
          <dt>{t('settings.twilio')}</dt>
          <dd data-testid="twilio-status">
            {s.demo ? t('settings.demo') : s.twilio_configured ? t('settings.twilio.ok') : t('settings.twilio.missing')}
          </dd>
        </dl>
      </section>
      <section class="card" aria-labelledby="me-title">
        <h2 id="me-title">{t('settings.me')}</h2>
        <LanguageSwitch />
        <PasswordForm
          label={t('settings.myPassword')}
          onSubmit={(pw) =>
            api.setPassword(ws.agent.id, pw).then(
              () => setNotice(t('settings.passwordChanged')),
              (err: unknown) => setNotice(t('agents.error', { message: String(err) })),
            )
          }
        />
        {notice && (
          <p class="notice" role="status">
            {notice}
          </p>
        )}
      </section>
    </div>
  );
}
