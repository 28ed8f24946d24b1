import { useEffect, useState } from 'react';
import { useSession } from '../app/session-context.js';

/**
 * Whether this person gets the Test panel: admins only, and only while the server's test
 * endpoints are on (the server says so on its health page).
 */
export function useTestPanel(): boolean {
  const { api, user } = useSession();
  const isAdmin = user.role === 'admin';
  const [testEndpoints, setTestEndpoints] = useState(false);
  useEffect(() => {
    if (!isAdmin) return;
    let cancelled = false;
    api.serverHealth().then(
      (health) => {
        if (!cancelled) setTestEndpoints(health.testEndpoints);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api, isAdmin]);
  return isAdmin && testEndpoints;
}
