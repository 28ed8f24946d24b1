import type { HoldReason } from '../../../common/alerts.js';
import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import type { NotifyingEvent } from '../../../common/events.js';
import { isUrgentEvent } from '../../../common/urgency.js';
import type { PopupPermission } from '../notifications/browser-permission.js';
import { quietHoldReason } from '../notifications/popup-policy.js';

const ID = /^[1-9]\d{0,15}$/;

export interface DeliveryContext {
  /** The page is on screen (not a background tab, not minimised). */
  visible: boolean;
  openConversationId: number | null;
  /** The notifications inbox is the page on screen: every new notification is listed there. */
  inboxOpen: boolean;
  settings: DesktopSettings;
  /** Whether this page may raise its own pop-ups; `null` where another process raises them. */
  popupPermission: PopupPermission | null;
  now: Date;
}

export type DeliveryReceipt =
  { state: 'shown'; overDoNotDisturb: boolean } | { state: 'held'; reason: HoldReason };

export interface DeliveryDecision {
  /** It is on screen already (its conversation, or the inbox): it needs nothing else to be seen. */
  inView: boolean;
  /** An in-app banner (urgent ones are raised even on a hidden page, to be there on return). */
  banner: boolean;
  /** A pop-up of this page's own (browser tabs only). */
  popup: boolean;
  /** What this desk reports about the alert. */
  receipt: DeliveryReceipt;
}

/**
 * How one live notifying event reaches the person at this page, and what is reported about it.
 * A message in the conversation on screen is shown as it is. Do-not-disturb and quiet hours hold
 * alerts, except urgent ones the clinic lets through (recorded as shown over do-not-disturb). An alert is
 * shown by a banner while the page is on screen and by a pop-up while it is hidden, if pop-ups
 * are allowed; otherwise it is held because they are not.
 */
export function deliveryDecision(
  event: NotifyingEvent,
  context: DeliveryContext,
): DeliveryDecision {
  const conversationId =
    event.type === 'new_message' && ID.test(event.conversation_id)
      ? Number(event.conversation_id)
      : null;
  if (context.visible && conversationId !== null && conversationId === context.openConversationId)
    return {
      inView: true,
      banner: false,
      popup: false,
      receipt: { state: 'shown', overDoNotDisturb: false },
    };
  const urgent = isUrgentEvent(event);
  // An urgent alert still gets its banner there: the inbox offers no Acknowledge.
  if (context.visible && context.inboxOpen && !urgent)
    return {
      inView: true,
      banner: false,
      popup: false,
      receipt: { state: 'shown', overDoNotDisturb: false },
    };
  // The person muted the conversation: counted, but it alerts only when urgent.
  if (event.type === 'new_message' && event.muted && !urgent)
    return {
      inView: false,
      banner: false,
      popup: false,
      receipt: { state: 'held', reason: 'conversation_muted' },
    };
  const quiet = quietHoldReason(context.settings, context.now);
  // The clinic's policy, stamped on the event when it was sent.
  const passes =
    urgent && event.type !== 'system_notification' && event.passes_do_not_disturb === true;
  if (quiet && !passes)
    return {
      inView: false,
      banner: false,
      popup: false,
      receipt: { state: 'held', reason: quiet },
    };
  const overDoNotDisturb = quiet !== null;
  if (context.visible)
    return {
      inView: false,
      banner: true,
      popup: false,
      receipt: { state: 'shown', overDoNotDisturb },
    };
  const popup = context.popupPermission === 'granted';
  return {
    inView: false,
    banner: urgent,
    popup,
    receipt: popup
      ? { state: 'shown', overDoNotDisturb }
      : { state: 'held', reason: 'notifications_denied' },
  };
}
