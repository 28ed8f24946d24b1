import { useId, useRef, useState, type FormEvent } from 'react';
import type { User } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import type { Platform } from '../platform/platform.js';

interface SignInPageProps {
  platform: Platform;
  serverUrl: string | null;
  notice: string | null;
  onSignedIn(user: User): void;
}

export function SignInPage({ platform, serverUrl, notice, onSignedIn }: SignInPageProps) {
  const [server, setServer] = useState(serverUrl ?? '');
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);
  const asksForServer = platform.kind === 'desktop';

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const user = await platform.signIn({
        ...(asksForServer ? { serverUrl: server.trim() } : {}),
        username: username.trim(),
        password,
      });
      onSignedIn(user);
    } catch (failure) {
      setError(describeError(failure));
      setPassword('');
      setBusy(false);
      // The button just went back from "Signing in…"; without this, focus would drop to the
      // page. The password is what to type again, and the error is announced with it.
      passwordRef.current?.focus();
    }
  }

  return (
    <main className="sign-in" id="main">
      <form
        className="sign-in__card"
        onSubmit={(event) => void submit(event)}
        aria-describedby={error ? errorId : undefined}
      >
        <h1 className="sign-in__title">
          <span className="brand-mark" aria-hidden="true" />
          ClinicPulse
        </h1>
        <p className="muted">Sign in with your clinic account.</p>
        {notice && (
          <p className="notice" role="status">
            {notice}
          </p>
        )}
        {asksForServer && (
          <label className="field">
            <span className="field__label">Clinic server address</span>
            <input
              type="url"
              required
              placeholder="https://clinicpulse.example-clinic.org"
              value={server}
              onChange={(event) => setServer(event.target.value)}
              autoComplete="url"
            />
          </label>
        )}
        <label className="field">
          <span className="field__label">Username</span>
          <input
            name="username"
            required
            autoComplete="username"
            autoCapitalize="none"
            spellCheck={false}
            value={username}
            onChange={(event) => setUsername(event.target.value)}
            autoFocus
          />
        </label>
        <label className="field">
          <span className="field__label">Password</span>
          <input
            ref={passwordRef}
            name="password"
            type="password"
            required
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            autoComplete="current-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
