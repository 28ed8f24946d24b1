import type { Priority } from './alerts.js';
import type { NotifyingEvent } from './events.js';

/**
 * Whether an event is urgent: a message sent as urgent, and every appointment reminder (a
 * patient is waiting). Urgent alerts ask for acknowledgement and stay on screen until then.
 */
export function isUrgentEvent(event: NotifyingEvent): boolean {
  return (
    event.type === 'appointment_reminder' ||
    (event.type === 'new_message' && event.priority === 'urgent')
  );
}

export function priorityOf(event: NotifyingEvent): Priority {
  return isUrgentEvent(event) ? 'urgent' : 'routine';
}
