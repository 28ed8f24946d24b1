import { useState } from 'react';
import { usePopupPermission } from '../notifications/browser-permission.js';

const DISMISSED_KEY = 'clinicpulse.popupBannerDismissed';

function wasDismissed(): boolean {
  try {
    return window.localStorage.getItem(DISMISSED_KEY) === 'yes';
  } catch {
    return false;
  }
}

/**
 * Explains why before the browser's own permission prompt appears. "Not now" is remembered on
 * this computer; Settings still offers the same button.
 */
export function PopupPermissionBanner() {
  const { permission, request } = usePopupPermission();
  const [dismissed, setDismissed] = useState(wasDismissed);

  function dismiss() {
    setDismissed(true);
    try {
      window.localStorage.setItem(DISMISSED_KEY, 'yes');
    } catch {
      // Without storage the banner simply returns next time.
    }
  }

  if (permission !== 'default' || dismissed) return null;
  return (
    <div className="banner" role="region" aria-label="Pop-up notifications">
      <p>
        Allow pop-ups so new messages and reminders reach you while this tab is in the background.
      </p>
      <div className="banner__actions">
        <button
          type="button"
          className="button button--primary button--small"
          onClick={() => void request()}
        >
          Allow pop-ups
        </button>
        <button type="button" className="button button--small" onClick={dismiss}>
          Not now
        </button>
      </div>
    </div>
  );
}
