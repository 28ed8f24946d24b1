import type { NotificationTarget } from '../../common/desktop-bridge.js';
import type { NotifyingEvent } from '../../common/events.js';

/** What clicking the pop-up for an event opens. */
export function targetForEvent(event: NotifyingEvent): NotificationTarget {
  switch (event.type) {
    case 'new_message':
      return { kind: 'conversation', conversationId: event.conversation_id };
    case 'appointment_reminder':
      return { kind: 'appointment', appointmentId: event.appointmentId };
    case 'system_notification':
      return { kind: 'inbox' };
  }
}

/** A summary opens the one conversation it covers, or the inbox when it covers several things. */
export function targetForSummary(events: readonly NotifyingEvent[]): NotificationTarget {
  const targets = events.map(targetForEvent);
  const first = targets[0];
  if (first && targets.every((target) => JSON.stringify(target) === JSON.stringify(first)))
    return first;
  return { kind: 'inbox' };
}
