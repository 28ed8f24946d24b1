import type { Conversation, Message } from '../../../common/api.js';
import type { StreamEventOf } from '../../../common/events.js';

const ID = /^[1-9]\d{0,15}$/;

/** A conversation's name: its title, or the colleagues in it. */
export function conversationTitle(conversation: Conversation, myId: number): string {
  if (conversation.title) return conversation.title;
  const others = conversation.participants.filter((participant) => participant.id !== myId);
  return others.length === 0
    ? 'Just you'
    : others.map((participant) => participant.displayName).join(', ');
}

function activityTime(conversation: Conversation): string {
  return conversation.lastMessage?.createdAt ?? conversation.updatedAt;
}

/** Most recent activity first. */
export function sortConversations(conversations: Conversation[]): Conversation[] {
  return conversations.toSorted(
    (a, b) => activityTime(b).localeCompare(activityTime(a)) || b.id - a.id,
  );
}

/**
 * The message a `new_message` event describes, when the event carries enough to show it
 * without a round trip (ClinicPulse adds `message_id` and `sender_id` to the original payload).
 */
export function messageFromEvent(event: StreamEventOf<'new_message'>): Message | null {
  if (!ID.test(event.conversation_id) || !event.message_id || !ID.test(event.message_id))
    return null;
  if (!event.sender_id || !ID.test(event.sender_id)) return null;
  return {
    id: Number(event.message_id),
    conversationId: Number(event.conversation_id),
    senderId: Number(event.sender_id),
    senderName: event.sender,
    text: event.text,
    createdAt: event.timestamp,
    clientMessageId: null,
  };
}

/**
 * Applies a message to the list. A message not newer than the conversation's last one is
 * already counted in what the server sent (it may be a replay after reconnecting), so it
 * changes nothing; this keeps unread counts exact without a refetch. Returns null when the
 * conversation is not in the list (the caller reloads the list).
 */
export function applyIncomingMessage(
  conversations: Conversation[],
  message: Message,
  countsAsUnread: boolean,
): Conversation[] | null {
  const index = conversations.findIndex(
    (conversation) => conversation.id === message.conversationId,
  );
  const conversation = conversations[index];
  if (!conversation) return null;
  if (conversation.lastMessage && conversation.lastMessage.id >= message.id) return conversations;
  const updated: Conversation = {
    ...conversation,
    lastMessage: message,
    updatedAt: message.createdAt,
    unreadCount: conversation.unreadCount + (countsAsUnread ? 1 : 0),
  };
  return sortConversations(conversations.with(index, updated));
}

export function markConversationRead(
  conversations: Conversation[],
  conversationId: number,
): Conversation[] {
  return conversations.map((conversation) =>
    conversation.id === conversationId && conversation.unreadCount > 0
      ? { ...conversation, unreadCount: 0 }
      : conversation,
  );
}

/** Adds or replaces one conversation (a new one, or one fetched again). */
export function upsertConversation(
  conversations: Conversation[],
  conversation: Conversation,
): Conversation[] {
  const rest = conversations.filter((item) => item.id !== conversation.id);
  return sortConversations([...rest, conversation]);
}
