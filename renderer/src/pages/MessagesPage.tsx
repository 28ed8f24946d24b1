import { useEffect, useState } from 'react';
import type { Conversation } from '../../../common/api.js';
import { ConversationAlerts } from '../alerts/ConversationAlerts.js';
import { RoleMessageDialog } from '../alerts/RoleMessageDialog.js';
import { useSession } from '../app/session-context.js';
import { upsertConversation } from '../messages/conversation-list-state.js';
import { ConversationList } from '../messages/ConversationList.js';
import { useConversations } from '../messages/ConversationsProvider.js';
import { MessageSearchBox, MessageSearchResults } from '../messages/MessageSearch.js';
import { NewConversationDialog } from '../messages/NewConversationDialog.js';
import { ThreadView } from '../messages/ThreadView.js';
import type { Route } from '../routing/route.js';

interface MessagesPageProps {
  conversationId: number | null;
  /** A message to show in the open conversation (a search result's). */
  messageId?: number | null;
  navigate(route: Route): void;
}

export function MessagesPage({ conversationId, messageId = null, navigate }: MessagesPageProps) {
  const { user, platform } = useSession();
  const { conversations, error, reload, apply, markRead } = useConversations();
  const [composing, setComposing] = useState(false);
  const [query, setQuery] = useState('');
  const searching = query.trim() !== '';
  const [messagingRole, setMessagingRole] = useState(false);

  useEffect(() => {
    platform.setOpenConversation(conversationId);
    return () => platform.setOpenConversation(null);
  }, [platform, conversationId]);

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
        <MessageSearchBox query={query} onQueryChange={setQuery} />
        {searching && <MessageSearchResults query={query} />}
        {!searching && conversations === null && !error && (
          <p className="empty muted">Loading conversations…</p>
        )}
        {!searching && conversations && (
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
            <ThreadView conversationId={conversationId} focusMessageId={messageId} onRead={markRead} />
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
