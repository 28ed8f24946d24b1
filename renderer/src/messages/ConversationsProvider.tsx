import { createContext, useCallback, useContext, useMemo, type ReactNode } from 'react';
import type { Conversation, Message } from '../../../common/api.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { useRoute } from '../routing/useRoute.js';
import { useSentMessages } from '../send-queue/SendQueueProvider.js';
import {
  applyConversationRead,
  applyIncomingMessage,
  markConversationRead,
  messageFromEvent,
} from './conversation-list-state.js';
import { useConversationList, type ConversationListChange } from './useConversationList.js';

export interface Conversations {
  conversations: Conversation[] | null;
  error: string | null;
  /** Unread messages over every conversation: the Messages tab's badge. */
  unreadTotal: number;
  reload(): Promise<void>;
  apply(change: ConversationListChange): void;
  /** The open thread read its conversation up to its newest message. */
  markRead(conversationId: number): void;
}

const ConversationsContext = createContext<Conversations | null>(null);

/**
 * The person's conversations for the whole signed-in app, kept live by events whichever page is
 * open, so the Messages tab can show the unread total and a conversation someone just started
 * with them shows at once.
 */
export function ConversationsProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const { route } = useRoute();
  const openConversationId = route?.page === 'conversations' ? route.conversationId : null;
  const { conversations, error, reload, apply } = useConversationList();

  useEvents({
    onNewMessage: (event) => {
      const message = messageFromEvent(event);
      if (!message) {
        // An event too thin to apply.
        void reload();
        return;
      }
      const onScreen =
        message.conversationId === openConversationId && document.visibilityState === 'visible';
      const countsAsUnread = !onScreen && message.senderId !== user.id;
      // A conversation the list has not seen (someone just started it) reloads the list.
      apply((list) => applyIncomingMessage(list, message, countsAsUnread ? 'add_one' : 'none'));
    },
    onMessageSent: (event) => {
      const message = messageFromEvent(event);
      if (message) apply((list) => applyIncomingMessage(list, message, 'clear'));
      else void reload();
    },
    onConversationRead: (event) => apply((list) => applyConversationRead(list, event)),
    // An edited or deleted last message changes the list's preview of it.
    onMessageChanged: (event) =>
      apply((list) =>
        list.map((item) =>
          item.lastMessage && String(item.lastMessage.id) === event.message_id
            ? {
                ...item,
                lastMessage: {
                  ...item.lastMessage,
                  text: event.text,
                  ...(event.deleted ? { deleted: true as const } : {}),
                },
              }
            : item,
        ),
      ),
    // Created, renamed, people added or removed: the server's list says what it is now.
    onConversationChanged: () => void reload(),
    onResync: () => void reload(),
  });

  // Sent from this desk's queue, whichever conversation is open.
  useSentMessages(
    useCallback(
      (message: Message) => apply((list) => applyIncomingMessage(list, message, 'clear')),
      [apply],
    ),
  );

  const markRead = useCallback(
    (id: number) => apply((list) => markConversationRead(list, id)),
    [apply],
  );

  const value = useMemo<Conversations>(
    () => ({
      conversations,
      error,
      unreadTotal: (conversations ?? []).reduce((sum, item) => sum + item.unreadCount, 0),
      reload,
      apply,
      markRead,
    }),
    [conversations, error, reload, apply, markRead],
  );
  return <ConversationsContext.Provider value={value}>{children}</ConversationsContext.Provider>;
}

export function useConversations(): Conversations {
  const value = useContext(ConversationsContext);
  if (!value) throw new Error('useConversations must be used inside <ConversationsProvider>');
  return value;
}
