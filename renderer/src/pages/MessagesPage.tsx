import { useCallback, useEffect, useState } from 'react';
import type { Conversation, Message } from '../../../common/api.js';
import { ConversationAlerts } from '../alerts/ConversationAlerts.js';
import { RoleMessageDialog } from '../alerts/RoleMessageDialog.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import {
  applyConversationRead,
  applyIncomingMessage,
  markConversationRead,
  messageFromEvent,
  upsertConversation,
} from '../messages/conversation-list-state.js';
import { ConversationList } from '../messages/ConversationList.js';
import { NewConversationDialog } from '../messages/NewConversationDialog.js';
import { ThreadView } from '../messages/ThreadView.js';
import { useConversationList } from '../messages/useConversationList.js';
import type { Route } from '../routing/route.js';

interface MessagesPageProps {
  conversationId: number | null;
  navigate(route: Route): void;
}

export function MessagesPage({ conversationId, navigate }: MessagesPageProps) {
  const { user, platform } = useSession();
  const { conversations, error, reload, apply } = useConversationList();
  const [composing, setComposing] = useState(false);
  const [messagingRole, setMessagingRole] = useState(false);

  useEffect(() => {
    platform.setOpenConversation(conversationId);
    return () => platform.setOpenConversation(null);
  }, [platform, conversationId]);

  useEvents({
    onNewMessage: (event) => {
      const message = messageFromEvent(event);
      if (!message) {
        // An event too thin to apply.
        void reload();
        return;
      }
      const onScreen =
        message.conversationId === conversationId && document.visibilityState === 'visible';
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
    onResync: () => void reload(),
  });

  const handleSent = useCallback(
    (message: Message) => apply((list) => applyIncomingMessage(list, message, 'clear')),
    [apply],
  );

  const handleRead = useCallback(
    (id: number) => apply((list) => markConversationRead(list, id)),
    [apply],
  );

  function handleCreated(conversation: Conversation) {
    setComposing(false);
    apply((list) => upsertConversation(list, conversation));
    navigate({ page: 'conversations', conversationId: conversation.id });
  }

  return (
    <div className={conversationId === null ? 'messages' : 'messages messages--thread-open'}>
      <section className="messages__list" aria-labelledby="conversations-heading">
        <div className="panel-header">
          <h1 id="conversations-heading" className="page-title" tabIndex={-1}>
            Messages
          </h1>
          <button
            type="button"
            className="button button--primary"
            onClick={() => setComposing(true)}
          >
            New conversation
          </button>
          <button type="button" className="button" onClick={() => setMessagingRole(true)}>
            Message on-duty
          </button>
        </div>
        {error && (
          <p className="form-error" role="alert">
            {error}{' '}
            <button type="button" className="button button--small" onClick={() => void reload()}>
              Try again
            </button>
          </p>
        )}
        {conversations === null && !error && <p className="empty muted">Loading conversations…</p>}
        {conversations && (
          <ConversationList
            conversations={conversations}
            selectedId={conversationId}
            myId={user.id}
          />
        )}
      </section>
      <section className="messages__thread" aria-label="Conversation">
        {conversationId === null ? (
          <div className="thread__empty">
            <p className="muted">Choose a conversation, or start a new one.</p>
          </div>
        ) : (
          <ConversationAlerts key={conversationId} conversationId={conversationId}>
            <ThreadView conversationId={conversationId} onSent={handleSent} onRead={handleRead} />
          </ConversationAlerts>
        )}
      </section>
      {composing && (
        <NewConversationDialog onClose={() => setComposing(false)} onCreated={handleCreated} />
      )}
      {messagingRole && (
        <RoleMessageDialog
          onClose={() => setMessagingRole(false)}
          onSent={(conversation) => {
            setMessagingRole(false);
            handleCreated(conversation);
          }}
        />
      )}
    </div>
  );
}
