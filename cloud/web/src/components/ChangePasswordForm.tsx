import { useState } from 'preact/hooks';
import { lifecycle, type LifecycleUser } from '../api/lifecycle';
import { ErrorNote } from './ui';
import { useAction } from '../hooks';
import { MIN_PASSWORD_LENGTH, PasswordField } from './form/PasswordField';
import './lifecycle.css';

/**
 * Choose a new password. `current` is known when the user has just logged in with a generated one (forced
 * change); otherwise they type it. `token` is the session to change it for when it is not stored yet.
 */
export function ChangePasswordForm({
  current,
  token,
  onChanged,
}: {
  current?: string;
  token?: string;
  onChanged: (res: { token: string; user: LifecycleUser }) => void;
}) {
  const [old, setOld] = useState('');
  const [next, setNext] = useState('');
  const [repeat, setRepeat] = useState('');
  const [mismatch, setMismatch] = useState<string | null>(null);
  const { busy, error, run } = useAction();

  const submit = async (e: Event) => {
    e.preventDefault();
    if (next !== repeat) {
      setMismatch('The two new passwords differ: type the same password twice.');
      return;
    }
    setMismatch(null);
    const res = await run(() => lifecycle.changePassword(current ?? old, next, token));
    if (res) onChanged(res);
  };

  return (
    <form class="stack-form lc-password" onSubmit={(e) => void submit(e)} data-testid="password-form">
      {current === undefined && (
        <PasswordField current label="Current password" testId="password-current" value={old} onValue={setOld} />
      )}
      <PasswordField
        label={
          <>
            New password <small>(at least {MIN_PASSWORD_LENGTH} characters)</small>
          </>
        }
        testId="password-new"
        value={next}
        onValue={setNext}
      />
      <PasswordField label="New password again" testId="password-repeat" value={repeat} onValue={setRepeat} />
      <ErrorNote message={mismatch ?? error} />
      <button type="submit" class="btn btn-primary btn-block" data-testid="password-submit" disabled={busy}>
        {busy ? 'Saving…' : 'Change password'}
      </button>
    </form>
  );
}
