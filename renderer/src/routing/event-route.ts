import type { NotificationTarget } from '../../../common/desktop-bridge.js';
import type { NotifyingEvent } from '../../../common/events.js';
import type { Route } from './route.js';

const ID = /^[1-9]\d{0,15}$/;

/** Where clicking a notification about this event takes the person. */
export function routeForEvent(event: NotifyingEvent): Route {
  switch (event.type) {
    case 'new_message':
      return ID.test(event.conversation_id)
        ? { page: 'conversations', conversationId: Number(event.conversation_id) }
        : { page: 'notifications', eventId: event.id };
    case 'appointment_reminder':
      return {
        page: 'appointments',
        appointmentId: ID.test(event.appointmentId) ? Number(event.appointmentId) : null,
      };
    case 'system_notification':
      return { page: 'notifications', eventId: event.id };
  }
}

/** Where a click on one of the desktop app's native pop-ups takes the person. */
export function routeForTarget(target: NotificationTarget): Route {
  switch (target.kind) {
    case 'conversation':
      return ID.test(target.conversationId)
        ? { page: 'conversations', conversationId: Number(target.conversationId) }
        : { page: 'notifications', eventId: null };
    case 'appointment':
      return {
        page: 'appointments',
        appointmentId: ID.test(target.appointmentId) ? Number(target.appointmentId) : null,
      };
    case 'inbox':
      return { page: 'notifications', eventId: null };
  }
}
