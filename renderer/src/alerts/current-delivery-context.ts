import { DEFAULT_DESKTOP_SETTINGS, type DesktopSettings } from '../../../common/desktop-bridge.js';
import { currentPopupPermission } from '../notifications/browser-permission.js';
import type { Route } from '../routing/route.js';
import type { DeliveryContext } from './delivery-decision.js';

/** The page's state right now, as deliveryDecision needs it. */
export function currentDeliveryContext(
  settings: DesktopSettings | null,
  route: Route | null,
  showsOwnPopups: boolean,
): DeliveryContext {
  return {
    visible: document.visibilityState === 'visible',
    openConversationId: route?.page === 'conversations' ? route.conversationId : null,
    inboxOpen: route?.page === 'notifications',
    settings: settings ?? DEFAULT_DESKTOP_SETTINGS,
    popupPermission: showsOwnPopups ? currentPopupPermission() : null,
    now: new Date(),
  };
}
