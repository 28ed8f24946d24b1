import { useCallback, useEffect, useState } from 'react';
import type { User } from '../../common/api.js';
import { describeError } from './api/api-error.js';
import { SignedInApp } from './app/SignedInApp.js';
import { SignInPage } from './pages/SignInPage.js';
import type { Platform } from './platform/platform.js';

type Phase =
  | { kind: 'loading' }
  | { kind: 'unreachable'; message: string }
  | { kind: 'signed_out'; serverUrl: string | null; notice: string | null }
  | { kind: 'signed_in'; user: User; serverUrl: string | null };

export function App({ platform }: { platform: Platform }) {
  const [phase, setPhase] = useState<Phase>({ kind: 'loading' });

  const restore = useCallback(
    () =>
      platform.restoreSession().then(
        (snapshot) =>
          setPhase(
            snapshot.user
              ? { kind: 'signed_in', user: snapshot.user, serverUrl: snapshot.serverUrl }
              : { kind: 'signed_out', serverUrl: snapshot.serverUrl, notice: snapshot.notice },
          ),
        (error: unknown) => setPhase({ kind: 'unreachable', message: describeError(error) }),
      ),
    [platform],
  );

  useEffect(() => {
    void restore();
  }, [restore]);

  const serverUrl =
    phase.kind === 'signed_in' || phase.kind === 'signed_out' ? phase.serverUrl : null;

  const signOut = useCallback(async () => {
    try {
      await platform.signOut();
    } finally {
      setPhase({ kind: 'signed_out', serverUrl, notice: 'You signed out.' });
    }
  }, [platform, serverUrl]);

  const sessionEnded = useCallback(() => {
    setPhase({
      kind: 'signed_out',
      serverUrl,
      notice: 'Your session has ended. Please sign in again.',
    });
  }, [serverUrl]);

  switch (phase.kind) {
    case 'loading':
      return (
        <main className="splash" id="main" aria-busy="true">
          <p>Loading ClinicPulse…</p>
        </main>
      );
    case 'unreachable':
      return (
        <main className="splash" id="main">
          <div className="splash__card">
            <h1>ClinicPulse cannot reach the clinic server</h1>
            <p role="alert">{phase.message}</p>
            <button type="button" className="button button--primary" onClick={() => void restore()}>
              Try again
            </button>
          </div>
        </main>
      );
    case 'signed_out':
      return (
        <SignInPage
          platform={platform}
          serverUrl={phase.serverUrl}
          notice={phase.notice}
          onSignedIn={(user) => setPhase({ kind: 'signed_in', user, serverUrl: phase.serverUrl })}
        />
      );
    case 'signed_in':
      return (
        <SignedInApp
          key={phase.user.id}
          platform={platform}
          user={phase.user}
          onSignOut={() => void signOut()}
          onSessionEnded={sessionEnded}
        />
      );
  }
}
