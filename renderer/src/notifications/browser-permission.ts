import { useCallback, useState } from 'react';

export type PopupPermission = NotificationPermission | 'unsupported' | 'insecure';

/** Whether this tab may show pop-ups; the Notification API needs a secure origin (https or localhost). */
export function currentPopupPermission(): PopupPermission {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (!window.isSecureContext) return 'insecure';
  return Notification.permission;
}

export function usePopupPermission(): {
  permission: PopupPermission;
  request: () => Promise<void>;
} {
  const [permission, setPermission] = useState<PopupPermission>(currentPopupPermission);
  const request = useCallback(async () => {
    if (currentPopupPermission() !== 'default') return;
    setPermission(await Notification.requestPermission());
  }, []);
  return { permission, request };
}
