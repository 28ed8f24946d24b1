import type { NotifyingEvent, StreamEventOf } from './events.js';

/** A place in a conversation: the message a notification announces, or how far a read reached. */
export interface ConversationPosition {
  conversationId: string;
  messageId: number;
}

function position(conversationId: string, messageId: string | undefined): ConversationPosition | null {
  const id = Number(messageId);
  return messageId !== undefined && Number.isSafeInteger(id) && id > 0 ? { conversationId, messageId: id } : null;
}

/** The message a notification announces, when it announces one (a `new_message` with its id). */
export function announcedMessage(event: NotifyingEvent): ConversationPosition | null {
  return event.type === 'new_message' ? position(event.conversation_id, event.message_id) : null;
}

/** How far a `conversation_read` event says the user read. */
export function readPosition(event: StreamEventOf<'conversation_read'>): ConversationPosition | null {
  return position(event.conversation_id, event.message_id);
}

/**
 * Whether a read reaching `read` also read `message`: a message notification counts as read on
 * every desk once the user read its conversation that far, on any desk.
 */
export function readCovers(read: ConversationPosition, message: ConversationPosition): boolean {
  return read.conversationId === message.conversationId && message.messageId <= read.messageId;
}
