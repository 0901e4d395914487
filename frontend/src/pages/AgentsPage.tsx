// Admin: list agents with their live presence, add one, enable/disable, change role, reset a
// password.
import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import type { Agent, PresenceState, Role } from '../api/types';
import { useApp, useT, useWorkspace } from '../app/context';

export function AgentsPage() {
  const { api } = useApp();
  const ws = useWorkspace();
  const t = useT();
  const [agents, setAgents] = useState<Agent[] | null>(null);
  const [presence, setPresence] = useState<Record<number, PresenceState>>({});
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [resetFor, setResetFor] = useState<number | null>(null);

  const fail = (err: unknown) =>
    setError(t('agents.error', { message: err instanceof ApiError ? err.message || err.code : String(err) }));

  useEffect(() => {
    api.agents().then(setAgents, fail);
    return ws.stream.on('presence', (p) => setPresence((m) => ({ ...m, [p.agent_id]: p.state })));
  }, []);

  const replace = (a: Agent) => setAgents((list) => (list ?? []).map((x) => (x.id === a.id ? a : x)));

  const patch = (id: number, p: { active?: boolean; role?: Role }) => {
    setError(null);
    api.updateAgent(id, p).then(replace, fail);
  };

  return (
    <div class="agents-page">
      <h1>{t('agents.title')}</h1>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <NewAgentForm
        onCreated={(a) => {
          setAgents((list) => [...(list ?? []), a]);
          setNotice(t('agents.created', { name: a.display_name || a.username }));
        }}
        onError={fail}
      />
      {!agents ? (
        <p>{t('common.loading')}</p>
      ) : (
        <table class="table" data-testid="agents-table">
          <thead>
            <tr>
              <th scope="col">{t('agents.username')}</th>
              <th scope="col">{t('agents.displayName')}</th>
              <th scope="col">{t('agents.role')}</th>
              <th scope="col">{t('agents.presence')}</th>
              <th scope="col">{t('agents.active')}</th>
              <th scope="col">
                <span class="sr-only">{t('agents.actions')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((a) => {
              const state = presence[a.id] ?? (a.available ? 'available' : 'offline');
              const self = a.id === ws.agent.id;
              return (
                <tr key={a.id} data-testid="agent-row" data-agent-id={a.id} class={a.active ? '' : 'inactive'}>
                  <td>{a.username}</td>
                  <td>{a.display_name}</td>
                  <td>
                    <select
                      value={a.role}
                      disabled={self}
                      aria-label={t('agents.roleFor', { name: a.username })}
                      onChange={(e) => patch(a.id, { role: e.currentTarget.value as Role })}
                      data-testid="agent-role"
                    >
                      <option value="agent">{t('role.agent')}</option>
                      <option value="admin">{t('role.admin')}</option>
                    </select>
                  </td>
                  <td>
                    <span class={`presence presence-${state}`} data-testid="agent-presence">
                      {t(`presence.${state}`)}
                    </span>
                  </td>
                  <td>{a.active ? t('common.yes') : t('common.no')}</td>
                  <td class="row-actions">
                    <button
                      type="button"
                      class="btn btn-small"
                      disabled={self}
                      onClick={() => patch(a.id, { active: !a.active })}
                      data-testid="agent-toggle-active"
                    >
                      {a.active ? t('agents.disable') : t('agents.enable')}
                    </button>
                    <button
                      type="button"
                      class="btn btn-small"
                      aria-expanded={resetFor === a.id}
                      onClick={() => setResetFor(resetFor === a.id ? null : a.id)}
                      data-testid="agent-reset-password"
                    >
                      {t('agents.resetPassword')}
                    </button>
                    {resetFor === a.id && (
                      <PasswordForm
                        label={t('agents.newPasswordFor', { name: a.username })}
                        onSubmit={(pw) =>
                          api.setPassword(a.id, pw).then(() => {
                            setResetFor(null);
                            setNotice(t('agents.passwordSaved', { name: a.username }));
                          }, fail)
                        }
                      />
                    )}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </div>
  );
}

function NewAgentForm(props: { onCreated: (a: Agent) => void; onError: (e: unknown) => void }) {
  const { api } = useApp();
  const t = useT();
  const [username, setUsername] = useState('');
  const [displayName, setDisplayName] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('agent');
  const [busy, setBusy] = useState(false);
  const submit = (e: Event) => {
    e.preventDefault();
    setBusy(true);
    api
      .createAgent({ username: username.trim(), display_name: displayName.trim(), password, role })
      .then(
        (a) => {
          props.onCreated(a);
          setUsername('');
          setDisplayName('');
          setPassword('');
          setRole('agent');
        },
        props.onError,
      )
      .finally(() => setBusy(false));
  };
  return (
    <form class="card inline-form" onSubmit={submit} aria-labelledby="new-agent-title" data-testid="agent-add-form">
      <h2 id="new-agent-title">{t('agents.add')}</h2>
      <label class="field">
        <span>{t('agents.username')}</span>
        <input required value={username} autoComplete="off" onInput={(e) => setUsername(e.currentTarget.value)} data-testid="agent-add-username" />
      </label>
      <label class="field">
        <span>{t('agents.displayName')}</span>
        <input required value={displayName} onInput={(e) => setDisplayName(e.currentTarget.value)} data-testid="agent-add-name" />
      </label>
      <label class="field">
        <span>{t('agents.password')}</span>
        <input
          required
          type="password"
          minLength={8}
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          data-testid="agent-add-password"
        />
      </label>
      <label class="field">
        <span>{t('agents.role')}</span>
        <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)} data-testid="agent-add-role">
          <option value="agent">{t('role.agent')}</option>
          <option value="admin">{t('role.admin')}</option>
        </select>
      </label>
      <button type="submit" class="btn btn-primary" disabled={busy} data-testid="agent-add-submit">
        {t('agents.addSubmit')}
      </button>
    </form>
  );
}

/** A one-field password form (admin reset, or the agent's own change). */
export function PasswordForm(props: { label: string; onSubmit: (password: string) => Promise<unknown> }) {
  const t = useT();
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <form
      class="password-form"
      onSubmit={(e) => {
        e.preventDefault();
        setBusy(true);
        props.onSubmit(password).finally(() => {
          setBusy(false);
          setPassword('');
        });
      }}
    >
      <label class="field">
        <span>{props.label}</span>
        <input
          type="password"
          required
          minLength={8}
          autoComplete="new-password"
          value={password}
          onInput={(e) => setPassword(e.currentTarget.value)}
          data-testid="password-input"
        />
      </label>
      <button type="submit" class="btn btn-small" disabled={busy} data-testid="password-submit">
        {t('common.save')}
      </button>
    </form>
  );
}
