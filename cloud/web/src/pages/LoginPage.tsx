import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { LoginResponse } from '../api/types';
import { setSession } from '../auth';
import { ErrorNote } from '../components/ui';
import { useAction } from '../hooks';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await run(() => api.post<LoginResponse>('/api/auth/login', { username: username.trim(), password }));
    // The app shell reacts to the new session and follows `?next=`.
    if (res) setSession(res.token, res.user);
  };

  return (
    <main class="login">
      <form class="login-card" onSubmit={(e) => void submit(e)}>
        <div class="brand brand-large">
          <span class="brand-mark" aria-hidden="true" />
          Lectern
        </div>
        <p class="subtitle">Live room mood for speakers. Anonymous, aggregate, on-device.</p>
        <label>
          Username
          <input
            data-testid="login-username"
            name="username"
            autoComplete="username"
            autoCapitalize="none"
            required
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
          />
        </label>
        <label>
          Password
          <input
            data-testid="login-password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
          />
        </label>
        <ErrorNote message={error} />
        <button data-testid="login-submit" class="btn btn-primary btn-block" type="submit" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
