import { useCallback, useState } from 'react';
import { describeError } from '../api/api-error.js';
import { useSession } from '../app/session-context.js';
import { loadBrowserDesk } from './desk-identity.js';

/**
 * Acknowledges an alert on the server, naming this desk where the page knows it (a browser
 * profile; the desktop app's window does not hold its installation's id). Every desk then stops
 * alerting on the `alert_acknowledged` event, this one included.
 */
export function useAcknowledge(): {
  acknowledge(alertId: number): Promise<boolean>;
  pending: ReadonlySet<number>;
  error: string | null;
} {
  const { api, platform } = useSession();
  const [pending, setPending] = useState<ReadonlySet<number>>(new Set());
  const [error, setError] = useState<string | null>(null);
  const acknowledge = useCallback(
    async (alertId: number) => {
      setError(null);
      setPending((current) => new Set(current).add(alertId));
      try {
        await api.acknowledgeAlert(
          alertId,
          platform.kind === 'browser' ? { deskId: loadBrowserDesk().id } : {},
        );
        return true;
      } catch (failure) {
        setError(describeError(failure));
        return false;
      } finally {
        setPending((current) => {
          const next = new Set(current);
          next.delete(alertId);
          return next;
        });
      }
    },
    [api, platform],
  );
  return { acknowledge, pending, error };
}
