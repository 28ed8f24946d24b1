import { DEFAULT_DESKTOP_SETTINGS, type DesktopSettings } from '../../../common/desktop-bridge.js';
import { currentPopupPermission } from '../notifications/browser-permission.js';
import type { DeliveryContext } from './delivery-decision.js';

/** The page's state right now, as deliveryDecision needs it. */
export function currentDeliveryContext(
  settings: DesktopSettings | null,
  openConversationId: number | null,
  showsOwnPopups: boolean,
): DeliveryContext {
  return {
    visible: document.visibilityState === 'visible',
    openConversationId,
    settings: settings ?? DEFAULT_DESKTOP_SETTINGS,
    popupPermission: showsOwnPopups ? currentPopupPermission() : null,
    now: new Date(),
  };
}
