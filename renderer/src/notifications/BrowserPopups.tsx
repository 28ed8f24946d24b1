import { isNotifyingEvent } from '../../../common/events.js';
import { previewFor } from '../../../common/notification-preview.js';
import { isUrgentEvent } from '../../../common/urgency.js';
import { currentDeliveryContext } from '../alerts/current-delivery-context.js';
import { deliveryDecision } from '../alerts/delivery-decision.js';
import { useEvents } from '../events/useEvents.js';
import { routeForEvent } from '../routing/event-route.js';
import type { Route } from '../routing/route.js';
import { useSettings } from '../settings/SettingsProvider.js';

/**
 * In a browser tab, a pop-up for each live notification while the tab is hidden: the person is
 * looking at something else and would otherwise miss it. History replayed on connect stays in
 * the inbox; it is not news. Urgent ones stay until clicked or closed.
 */
export function BrowserPopups({ navigate }: { navigate: (route: Route) => void }) {
  const { settings } = useSettings();

  useEvents({
    onEvent: (event, meta) => {
      if (!isNotifyingEvent(event) || meta.fromHistory) return;
      const context = currentDeliveryContext(settings, null, true);
      if (!deliveryDecision(event, context).popup) return;
      // The same words at the same privacy level as the desktop app's pop-ups.
      const { title, body } = previewFor(event, context.settings.previewLevel);
      // One tag per event: two tabs of the same person replace each other's pop-up instead of stacking.
      const popup = new Notification(title, {
        body,
        tag: `clinicpulse-${event.id}`,
        silent: !context.settings.sound,
        requireInteraction: isUrgentEvent(event),
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
