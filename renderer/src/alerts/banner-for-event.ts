import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import type { NotifyingEvent } from '../../../common/events.js';
import { isWithinQuietHours } from '../../../common/quiet-hours.js';
import { isUrgentEvent } from '../../../common/urgency.js';
import { formatDateTime } from '../lib/format.js';
import { routeForEvent } from '../routing/event-route.js';
import type { AlertBannerItem } from './alert-banner-state.js';

const ID = /^[1-9]\d{0,15}$/;

export interface BannerContext {
  /** The page is on screen (not a background tab, not minimised). */
  visible: boolean;
  /** The conversation shown on the page, if any. */
  openConversationId: number | null;
  settings: DesktopSettings;
  now: Date;
}

/**
 * The in-app banner for a live notifying event, or null when none is due. A message in the
 * conversation already on screen needs none. Routine banners are for a page on screen that is
 * not held back by do-not-disturb or quiet hours (a hidden page gets a pop-up instead); urgent
 * ones are raised whatever the page's state, so that they are there when the person returns.
 */
export function bannerForEvent(
  event: NotifyingEvent,
  context: BannerContext,
): AlertBannerItem | null {
  const conversationId =
    event.type === 'new_message' && ID.test(event.conversation_id)
      ? Number(event.conversation_id)
      : null;
  if (context.visible && conversationId !== null && conversationId === context.openConversationId)
    return null;
  const urgent = isUrgentEvent(event);
  if (!urgent) {
    if (!context.visible) return null;
    if (
      context.settings.doNotDisturb ||
      isWithinQuietHours(context.settings.quietHours, context.now)
    )
      return null;
  }
  return {
    eventId: event.id,
    alertId: alertIdOf(event),
    urgent,
    ...wording(event),
    route: routeForEvent(event),
    conversationId,
    repeat: null,
    raisedAt: context.now.getTime(),
  };
}

function alertIdOf(event: NotifyingEvent): number | null {
  return event.alert_id !== undefined && ID.test(event.alert_id) ? Number(event.alert_id) : null;
}

/** Inside the app window, like the inbox: the full text. */
function wording(event: NotifyingEvent): { title: string; body: string } {
  switch (event.type) {
    case 'new_message': {
      const where = event.conversation_title ? ` in ${event.conversation_title}` : '';
      const kind = event.priority === 'urgent' ? 'Urgent message' : 'Message';
      return { title: `${kind} from ${event.sender}${where}`, body: event.text };
    }
    case 'appointment_reminder':
      return {
        title: 'Appointment reminder',
        body: `${event.content || 'Appointment'} — ${formatDateTime(event.time)}`,
      };
    case 'system_notification':
      return { title: 'Notice from the clinic', body: event.content };
  }
}
