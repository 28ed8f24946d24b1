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

/** An id from an event payload (ids there are strings), or null when it is not one. */
function idFromEvent(text: string | undefined): number | null {
  return text !== undefined && ID.test(text) ? Number(text) : null;
}

/**
 * The message a `new_message` or `message_sent` event describes, when the event carries enough
 * to show it without a round trip (ClinicPulse adds `message_id` and `sender_id` to the original
 * `new_message` payload).
 */
export function messageFromEvent(
  event: StreamEventOf<'new_message'> | StreamEventOf<'message_sent'>,
): Message | null {
  const id = idFromEvent(event.message_id);
  const conversationId = idFromEvent(event.conversation_id);
  const senderId = idFromEvent(event.sender_id);
  if (id === null || conversationId === null || senderId === null) return null;
  return {
    id,
    conversationId,
    senderId,
    senderName: event.sender,
    text: event.text,
    createdAt: event.timestamp,
    clientMessageId: event.type === 'message_sent' ? (event.client_message_id ?? null) : null,
    priority: event.priority ?? 'routine',
    alertId: idFromEvent(event.alert_id),
    ...(event.reply_to && idFromEvent(event.reply_to.message_id) !== null
      ? {
          replyTo: {
            id: idFromEvent(event.reply_to.message_id) as number,
            senderName: event.reply_to.sender,
            text: event.reply_to.text,
          },
        }
      : {}),
  };
}

/**
 * What a new last message does to its conversation's unread count: a colleague's message that
 * is not on screen adds one; one on screen adds nothing; the person's own message clears it,
 * because the server moves the sender's read marker up to the message they send.
 */
export type UnreadChange = 'add_one' | 'none' | 'clear';

/**
 * Applies a message to the list. A message not newer than the conversation's last one is
 * already counted in what the server sent (it may be a replay after reconnecting), so it
 * changes nothing; this keeps unread counts exact without a refetch. Returns null when the
 * conversation is not in the list (the caller reloads the list).
 */
export function applyIncomingMessage(
  conversations: Conversation[],
  message: Message,
  unread: UnreadChange,
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
    unreadCount: unread === 'clear' ? 0 : conversation.unreadCount + (unread === 'add_one' ? 1 : 0),
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

/**
 * Applies a `conversation_read` event: the person's read marker moved up to a message, on some
 * desk. The list knows only each conversation's count and last message, so it can tell the new
 * count only when nothing was unread or the marker reached the last message; otherwise (or for
 * a conversation it does not hold) it returns null and the caller reloads the list.
 */
export function applyConversationRead(
  conversations: Conversation[],
  event: StreamEventOf<'conversation_read'>,
): Conversation[] | null {
  const conversationId = idFromEvent(event.conversation_id);
  const readUpTo = idFromEvent(event.message_id);
  const conversation = conversations.find((item) => item.id === conversationId);
  if (!conversation || readUpTo === null) return null;
  if (conversation.unreadCount === 0) return conversations;
  if (!conversation.lastMessage || readUpTo < conversation.lastMessage.id) return null;
  return markConversationRead(conversations, conversation.id);
}

/** Adds or replaces one conversation (a new one, or one fetched again). */
export function upsertConversation(
  conversations: Conversation[],
  conversation: Conversation,
): Conversation[] {
  const rest = conversations.filter((item) => item.id !== conversation.id);
  return sortConversations([...rest, conversation]);
}
