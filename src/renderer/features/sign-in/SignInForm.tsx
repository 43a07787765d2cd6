// Sign in with an admin account (the one-time link printed by `ucupdates serve` signs in without one).
import { useState, type FormEvent } from 'react';
import { Button, Text } from '@fluentui/react-components';
import type { SessionInfo } from '../../../shared/admin-api.js';
import { errorText, signIn } from '../../api.js';
import { TextField } from '../../components/Field.js';
import { Notice } from '../../components/Notice.js';

export function SignInForm({ onSignedIn, reason }: { onSignedIn: (s: SessionInfo) => void; reason?: string | undefined }) {
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    try {
      onSignedIn(await signIn({ username, password }));
    } catch (err) {
      setError(errorText(err));
      setBusy(false);
    }
  };

  return (
    <main className="sign-in">
      <form onSubmit={(e) => void submit(e)} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">ucupdates</h1>
        <p className="muted">Sign in to manage phone updates.</p>
        <Notice error={error ?? reason} />
        <TextField id="username" label="User name" value={username} onChange={setUsername} autoComplete="username" />
        <TextField id="password" label="Password" type="password" value={password} onChange={setPassword} autoComplete="current-password" />
        <Button type="submit" appearance="primary" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </Button>
        <Text size={200} className="muted">
          On the server's own machine, the sign-in link that <code>ucupdates serve</code> prints signs you in without an
          account.
        </Text>
      </form>
    </main>
  );
}
