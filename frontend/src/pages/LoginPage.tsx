import { useState } from 'preact/hooks';
import { ApiError } from '../api/client';
import { useApp, useT } from '../app/context';
import { LanguageSwitch } from '../components/LanguageSwitch';

export function LoginPage() {
  const { api, session } = useApp();
  const t = useT();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    setError(null);
    try {
      const res = await api.login(username.trim(), password);
      session.save({ token: res.token, expiresAt: res.expires_at, agent: res.agent });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('login.error.credentials'));
      else if (err instanceof ApiError && err.status === 429)
        setError(t('login.error.throttled', { seconds: err.retryAfter ?? 30 }));
      else if (err instanceof ApiError && err.status === 0) setError(t('login.error.network'));
      else setError(t('login.error.other', { code: err instanceof ApiError ? err.code : String(err) }));
      setBusy(false);
    }
  };

  return (
    <main class="login-page">
      <form class="card login-card" onSubmit={submit} aria-labelledby="login-title" data-testid="login-form">
        <div class="login-head">
          <h1 id="login-title">{t('login.title')}</h1>
          <LanguageSwitch />
        </div>
        <label class="field">
          <span>{t('login.username')}</span>
          <input
            name="username"
            autoComplete="username"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            data-testid="login-username"
          />
        </label>
        <label class="field">
          <span>{t('login.password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
        </label>
        {error && (
          <p class="form-error" role="alert" data-testid="login-error">
            {error}
          </p>
        )}
        <button type="submit" class="btn btn-primary" disabled={busy} data-testid="login-submit">
          {busy ? t('login.submitting') : t('login.submit')}
        </button>
      </form>
    </main>
  );
}
