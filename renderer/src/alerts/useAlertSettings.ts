import { useEffect, useState } from 'react';
import type { AlertSettings } from '../../../common/alert-settings.js';
import { useApi } from '../app/session-context.js';

/** The clinic's alert settings as the server has them; null until they arrive (or if they cannot). */
export function useAlertSettings(): AlertSettings | null {
  const api = useApi();
  const [settings, setSettings] = useState<AlertSettings | null>(null);
  useEffect(() => {
    let cancelled = false;
    api.alertSettings().then(
      (response) => {
        if (!cancelled) setSettings(response.settings);
      },
      () => undefined,
    );
    return () => {
      cancelled = true;
    };
  }, [api]);
  return settings;
}
