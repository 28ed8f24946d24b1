import { useEffect, useState } from 'react';
import { describeError } from '../api/api-error.js';
import { useSession } from '../app/session-context.js';
import { roleLabel } from '../lib/roles.js';

/**
 * "On duty" in the top bar: messages to the on-duty members of the person's role, and
 * escalations, reach them while it is on.
 */
export function DutyToggle() {
  const { api, user } = useSession();
  const [onDuty, setOnDuty] = useState<boolean | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let cancelled = false;
    api.onDuty().then(
      (response) => {
        if (!cancelled) setOnDuty(response.onDuty.some((entry) => entry.userId === user.id));
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, user.id]);

  async function toggle() {
    if (onDuty === null) return;
    setBusy(true);
    setError(null);
    try {
      const response = await api.setOwnDuty({ onDuty: !onDuty });
      setOnDuty(response.onDuty.some((entry) => entry.userId === user.id));
    } catch (failure) {
      setError(describeError(failure));
    } finally {
      setBusy(false);
    }
  }

  return (
    <button
      type="button"
      className="button button--small duty-toggle"
      aria-pressed={onDuty ?? false}
      disabled={onDuty === null || busy}
      onClick={() => void toggle()}
      title={
        error ??
        (onDuty
          ? `On duty as ${roleLabel(user.role).toLowerCase()}: messages to the on-duty ${roleLabel(user.role).toLowerCase()} reach you`
          : 'Off duty')
      }
      data-testid="duty-toggle"
    >
      {onDuty ? 'On duty' : 'Off duty'}
    </button>
  );
}
