import type {
  AppointmentReminderPayload,
  NewMessagePayload,
  StreamEventOf,
  SystemNotificationPayload,
} from '../../../common/events.js';

export function message(
  id: number,
  fields: Partial<NewMessagePayload> = {},
): StreamEventOf<'new_message'> {
  return {
    id,
    type: 'new_message',
    conversation_id: '12',
    sender: 'Dr. Sarah Smith',
    text: 'Mr. Jones in room 3 needs his dressing changed',
    timestamp: '2025-01-20T10:30:00Z',
    ...fields,
  };
}

export function reminder(
  id: number,
  fields: Partial<AppointmentReminderPayload> = {},
): StreamEventOf<'appointment_reminder'> {
  return {
    id,
    type: 'appointment_reminder',
    appointmentId: '456',
    time: '2025-01-20T14:00:00Z',
    content: 'Annual checkup for Mrs. Brown',
    timestamp: '2025-01-20T13:45:00Z',
    ...fields,
  };
}

export function systemNotice(
  id: number,
  fields: Partial<SystemNotificationPayload> = {},
): StreamEventOf<'system_notification'> {
  return {
    id,
    type: 'system_notification',
    content: 'Server maintenance at 18:00',
    timestamp: '2025-01-20T10:30:00Z',
    ...fields,
  };
}
