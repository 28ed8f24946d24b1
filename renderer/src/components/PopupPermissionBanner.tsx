import { useState } from 'react';
import { usePopupPermission } from '../notifications/browser-permission.js';

/** Asks once per tab, with a reason, before the browser's own permission prompt appears. */
export function PopupPermissionBanner() {
  const { permission, request } = usePopupPermission();
  const [dismissed, setDismissed] = useState(false);
  if (permission !== 'default' || dismissed) return null;
  return (
    <div className="banner" role="region" aria-label="Pop-up notifications">
      <p>Allow pop-ups so new messages and reminders reach you while this tab is in the background.</p>
      <div className="banner__actions">
        <button type="button" className="button button--primary button--small" onClick={() => void request()}>
          Allow pop-ups
        </button>
        <button type="button" className="button button--small" onClick={() => setDismissed(true)}>
          Not now
        </button>
      </div>
    </div>
  );
}
