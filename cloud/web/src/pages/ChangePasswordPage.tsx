import { useState } from 'preact/hooks';
import { getUser, setSession } from '../auth';
import { ChangePasswordForm } from '../components/ChangePasswordForm';
import { PageHeader, Panel } from '../components/ui';

/** A logged-in user changes their own password; other sessions of theirs end, this one continues. */
export function ChangePasswordPage() {
  const [done, setDone] = useState(false);
  return (
    <div class="password-page">
      <PageHeader title="Change password" subtitle="Your other sessions end; this one continues" />
      <Panel>
        {done ? (
          <div class="note note-ok" role="status" data-testid="password-changed">
            Password changed.
          </div>
        ) : (
          <ChangePasswordForm
            onChanged={(res) => {
              setSession(res.token, { ...(getUser() ?? res.user), ...res.user });
              setDone(true);
            }}
          />
        )}
      </Panel>
    </div>
  );
}
