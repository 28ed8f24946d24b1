import type { NotifyingEvent } from '../../../common/events.js';
import { formatDateTime } from '../lib/format.js';

export function eventTypeLabel(event: NotifyingEvent): string {
  switch (event.type) {
    case 'new_message':
      return 'New message';
    case 'appointment_reminder':
      return 'Appointment reminder';
    case 'system_notification':
      return 'System notice';
  }
}

/** The inbox line for an event (inside the app window, so the full text). */
export function eventSummary(event: NotifyingEvent): string {
  switch (event.type) {
    case 'new_message':
      return event.sender ? `${event.sender}: ${event.text}` : event.text;
    case 'appointment_reminder':
      return `${event.content || 'Appointment'} — ${formatDateTime(event.time)}`;
    case 'system_notification':
      return event.content;
  }
}
