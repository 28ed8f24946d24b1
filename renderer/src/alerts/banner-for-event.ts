import type { NotifyingEvent, StreamEventOf } from '../../../common/events.js';
import { isUrgentEvent } from '../../../common/urgency.js';
import { formatDateTime } from '../lib/format.js';
import { routeForEvent } from '../routing/event-route.js';
import type { AlertBannerItem } from './alert-banner-state.js';
import { deliveryDecision, type DeliveryContext } from './delivery-decision.js';

const ID = /^[1-9]\d{0,15}$/;

/** The in-app banner for a live notifying event, or null when none is due (see deliveryDecision). */
export function bannerForEvent(
  event: NotifyingEvent,
  context: DeliveryContext,
): AlertBannerItem | null {
  if (!deliveryDecision(event, context).banner) return null;
  return {
    eventId: event.id,
    alertId: alertIdOf(event),
    urgent: isUrgentEvent(event),
    ...wording(event),
    route: routeForEvent(event),
    conversationId:
      event.type === 'new_message' && ID.test(event.conversation_id)
        ? Number(event.conversation_id)
        : null,
    repeat: null,
    raisedAt: context.now.getTime(),
  };
}

/** "Repeat 2 of 3" of an urgent message nobody has acknowledged. */
export function bannerForRepeat(
  event: StreamEventOf<'alert_repeat'>,
  now: number,
): AlertBannerItem {
  const conversationId =
    event.conversation_id !== undefined && ID.test(event.conversation_id)
      ? Number(event.conversation_id)
      : null;
  return {
    eventId: event.id,
    alertId: Number(event.alert_id),
    urgent: true,
    title: `Urgent message from ${event.sender}`,
    body: event.text,
    route:
      conversationId === null
        ? { page: 'notifications', eventId: null }
        : { page: 'conversations', conversationId },
    conversationId,
    repeat: { number: event.repeat, of: event.of },
    raisedAt: now,
  };
}

export function alertIdOf(event: NotifyingEvent): number | null {
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
