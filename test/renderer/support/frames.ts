import type { StreamEvent } from '../../../common/events.js';

const timestamp = '2025-01-20T10:30:00Z';

export function newMessage(
  id: number,
  fields: Partial<Extract<StreamEvent, { type: 'new_message' }>> = {},
) {
  return {
    id,
    type: 'new_message' as const,
    conversation_id: '7',
    sender: 'Dr. Raj Patel',
    text: `message ${id}`,
    timestamp,
    message_id: String(id),
    sender_id: '2',
    ...fields,
  };
}

export function reminder(id: number, content = 'Annual checkup') {
  return {
    id,
    type: 'appointment_reminder' as const,
    appointmentId: '456',
    time: '2025-01-20T14:00:00Z',
    content,
    timestamp,
  };
}

export function systemNotice(id: number, content = 'Your profile is incomplete') {
  return { id, type: 'system_notification' as const, content, timestamp };
}

export function notificationsRead(id: number, lastEventId: number) {
  return { id, type: 'notifications_read' as const, lastEventId, timestamp };
}

export function conversationRead(id: number, conversationId: string, messageId: string) {
  return {
    id,
    type: 'conversation_read' as const,
    conversation_id: conversationId,
    message_id: messageId,
    timestamp,
  };
}

/** The signed-in user (Dr. Smith, id 1) sent a message, from this desk or another. */
export function messageSent(
  id: number,
  fields: Partial<Extract<StreamEvent, { type: 'message_sent' }>> = {},
) {
  return {
    id,
    type: 'message_sent' as const,
    conversation_id: '7',
    message_id: String(id),
    sender: 'Dr. Sarah Smith',
    sender_id: '1',
    text: `sent ${id}`,
    timestamp,
    ...fields,
  };
}
