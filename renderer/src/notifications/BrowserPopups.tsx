import { DEFAULT_DESKTOP_SETTINGS } from '../../../common/desktop-bridge.js';
import { isNotifyingEvent } from '../../../common/events.js';
import { previewFor } from '../../../common/notification-preview.js';
import { useEvents } from '../events/useEvents.js';
import { routeForEvent } from '../routing/event-route.js';
import type { Route } from '../routing/route.js';
import { useSettings } from '../settings/SettingsProvider.js';
import { currentPopupPermission } from './browser-permission.js';
import { popupAllowed } from './popup-policy.js';

/**
 * In a browser tab, a pop-up for each live notification while the tab is hidden: the person is
 * looking at something else and would otherwise miss it. History replayed on connect stays in
 * the inbox; it is not news.
 */
export function BrowserPopups({ navigate }: { navigate: (route: Route) => void }) {
  const { settings } = useSettings();

  useEvents({
    onEvent: (event, meta) => {
      if (!isNotifyingEvent(event) || meta.fromHistory) return;
      // A muted conversation counts, but does not pop up.
      if (event.type === 'new_message' && event.muted) return;
      if (document.visibilityState !== 'hidden' || currentPopupPermission() !== 'granted') return;
      const current = settings ?? DEFAULT_DESKTOP_SETTINGS;
      if (!popupAllowed(current, new Date())) return;
      // The same words at the same privacy level as the desktop app's pop-ups.
      const { title, body } = previewFor(event, current.previewLevel);
      // One tag per event: two tabs of the same person replace each other's pop-up instead of stacking.
      const popup = new Notification(title, {
        body,
        tag: `clinicpulse-${event.id}`,
        silent: !current.sound,
      });
      popup.onclick = () => {
        window.focus();
        navigate(routeForEvent(event));
        popup.close();
      };
    },
  });

  return null;
}
