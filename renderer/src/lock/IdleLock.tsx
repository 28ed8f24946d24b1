import {
  useCallback,
  useEffect,
  useId,
  useRef,
  useState,
  type FormEvent,
  type ReactNode,
} from 'react';
import { describeError } from '../api/api-error.js';
import { useSession } from '../app/session-context.js';
import { useSignOut } from '../send-queue/useSignOut.js';
import {
  AUTO_LOCK_STORAGE_KEYS,
  autoLockMinutes,
  isLockedFor,
  setLocked,
} from './auto-lock-storage.js';

const ACTIVITY_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'touchstart'] as const;
const CHECK_EVERY_MS = 5_000;

/**
 * A browser on a shared workstation locks itself after the minutes of no use set in Settings:
 * what the page shows is replaced by a lock screen until the person types their password again
 * (or signs out). The session, the event stream and the send queue go on underneath. Every tab
 * of the browser locks and unlocks together. The desktop app locks with the OS screen lock
 * instead (its main process keeps that lock, `platform.appLock`), behind the same lock screen.
 */
export function IdleLock({ children }: { children: ReactNode }) {
  const { platform, user } = useSession();
  const [locked, setLockedState] = useState(() => isLockedFor(user.id));
  // The desktop app's own lock, which the main process keeps (the OS screen lock).
  const [appLocked, setAppLocked] = useState(false);
  useEffect(() => platform.appLock?.subscribe(setAppLocked), [platform]);
  // The minutes without use count from the page's first render, not from when React gets round
  // to the effect below: effects may run well after the page is on screen, and the time that
  // passed in between is time without use too.
  const [firstRenderedAt] = useState(Date.now);
  const lastActivity = useRef(firstRenderedAt);

  const lock = useCallback(
    (value: boolean) => {
      setLocked(user.id, value);
      setLockedState(value);
      lastActivity.current = Date.now();
    },
    [user.id],
  );

  useEffect(() => {
    if (platform.kind !== 'browser') return;
    const active = () => {
      lastActivity.current = Date.now();
    };
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, active, { passive: true });
    const timer = setInterval(() => {
      const minutes = autoLockMinutes();
      if (
        minutes > 0 &&
        Date.now() - lastActivity.current >= minutes * 60_000 &&
        !isLockedFor(user.id)
      )
        lock(true);
    }, CHECK_EVERY_MS);
    // Another tab of this browser locked or unlocked.
    const followOtherTabs = (event: StorageEvent) => {
      if (event.key && (AUTO_LOCK_STORAGE_KEYS as readonly string[]).includes(event.key))
        setLockedState(isLockedFor(user.id));
    };
    window.addEventListener('storage', followOtherTabs);
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, active);
      clearInterval(timer);
      window.removeEventListener('storage', followOtherTabs);
    };
  }, [platform, user.id, lock]);

  const appLock = platform.appLock;
  if (appLock) {
    if (!appLocked) return children;
    return (
      <LockScreen
        unlock={(password) => appLock.unlock(password)}
        onUnlocked={() => setAppLocked(false)}
      />
    );
  }
  if (!locked || platform.kind !== 'browser') return children;
  return (
    <LockScreen
      unlock={async (password) => {
        await platform.signIn({ username: user.username, password });
      }}
      onUnlocked={() => lock(false)}
    />
  );
}

function LockScreen({
  unlock: checkPassword,
  onUnlocked,
}: {
  unlock(password: string): Promise<void>;
  onUnlocked(): void;
}) {
  const { user } = useSession();
  const signOut = useSignOut();
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const errorId = useId();
  const passwordRef = useRef<HTMLInputElement>(null);

  useEffect(() => passwordRef.current?.focus(), []);

  async function unlock(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await checkPassword(password);
      onUnlocked();
    } catch (failure) {
      setError(describeError(failure));
      setPassword('');
      setBusy(false);
      passwordRef.current?.focus();
    }
  }

  return (
    <main className="sign-in" id="main" data-testid="lock-screen">
      <form className="sign-in__card" onSubmit={(event) => void unlock(event)}>
        <h1 className="sign-in__title">
          <span className="brand-mark" aria-hidden="true" />
          ClinicPulse is locked
        </h1>
        <p className="muted">
          {user.displayName} is signed in. Enter the password to go on, or sign out for the next
          person.
        </p>
        <label className="field">
          <span className="field__label">Password</span>
          <input
            ref={passwordRef}
            type="password"
            required
            autoComplete="current-password"
            value={password}
            aria-invalid={error ? true : undefined}
            aria-describedby={error ? errorId : undefined}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        {error && (
          <p className="form-error" role="alert" id={errorId}>
            {error}
          </p>
        )}
        <button type="submit" className="button button--primary button--block" disabled={busy}>
          {busy ? 'Unlocking…' : 'Unlock'}
        </button>
        <button type="button" className="button button--block" onClick={signOut}>
          Sign out
        </button>
      </form>
    </main>
  );
}
