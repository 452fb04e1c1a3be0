import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { LifecycleUser } from '../api/lifecycle';
import type { LoginResponse } from '../api/types';
import { setSession } from '../auth';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { ErrorNote } from '../components/ui';
import { useAction } from '../hooks';

export function LoginPage() {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const { busy, error, run } = useAction();
  /** A login whose password was generated (first-run admin, admin reset): kept here until it is changed. */
  const [pending, setPending] = useState<{ token: string; password: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    const res = await run(() => api.post<LoginResponse>('/api/auth/login', { username: username.trim(), password }));
    if (!res) return;
    if ((res.user as LifecycleUser).mustChangePassword) {
      setPending({ token: res.token, password });
      return;
    }
    // The app shell reacts to the new session and follows `?next=`.
    setSession(res.token, res.user);
  };

  if (pending) {
    return (
      <main class="login">
        <div class="login-card" data-testid="forced-password-change">
          <div class="brand brand-large">
            <span class="brand-mark" aria-hidden="true" />
            Lectern
          </div>
          <h2>Choose your own password</h2>
          <p class="subtitle">
            The password you signed in with was generated for you. Choose one only you know before you continue.
          </p>
          <ChangePasswordForm
            current={pending.password}
            token={pending.token}
            onChanged={(res) => setSession(res.token, res.user)}
          />
        </div>
      </main>
    );
  }

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
