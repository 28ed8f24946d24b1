import { useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../../../common/api.js';
import { EscalationTargetPicker } from '../alerts/EscalationTargetPicker.js';
import { useReportRendered } from '../alerts/useReportRendered.js';
import { useApi, useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import { Composer } from './Composer.js';
import { conversationTitle, messageFromEvent } from './conversation-list-state.js';
import { MessageList, type ThreadRow } from './MessageList.js';
import { useThread } from './useThread.js';

interface ThreadViewProps {
  conversationId: number;
  onSent(message: Message): void;
  onRead(conversationId: number): void;
}

export function ThreadView({ conversationId, onSent, onRead }: ThreadViewProps) {
  const api = useApi();
  const { user } = useSession();
  const { state, conversation, send, retry, loadOlder, refreshLatest, receive } = useThread(
    conversationId,
    onSent,
  );
  const [announcement, setAnnouncement] = useState('');

  useEvents({
    onNewMessage: (event) => {
      if (event.conversation_id !== String(conversationId)) return;
      const message = messageFromEvent(event);
      if (message) receive(message);
      else void refreshLatest();
      if (message?.senderId !== user.id)
        setAnnouncement(`New message from ${event.sender}: ${event.text}`);
    },
    // The person's own message, from this desk or another: nothing to announce. It can come
    // before the answer to this desk's send, and then confirms that send by its clientMessageId.
    onMessageSent: (event) => {
      if (event.conversation_id !== String(conversationId)) return;
      const message = messageFromEvent(event);
      if (message) receive(message);
      else void refreshLatest();
    },
    onResync: () => void refreshLatest(),
  });

  useReportRendered(state.messages, user.id);

  // Read up to the newest message, while the page is actually visible.
  const newestId = state.messages.at(-1)?.id ?? null;
  const markedUpTo = useRef(0);
  useEffect(() => {
    if (newestId === null) return;
    const markRead = () => {
      if (document.visibilityState !== 'visible' || newestId <= markedUpTo.current) return;
      markedUpTo.current = newestId;
      api.markConversationRead(conversationId, { lastMessageId: newestId }).then(
        () => onRead(conversationId),
        () => {
          markedUpTo.current = 0;
        },
      );
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [api, conversationId, newestId, onRead]);

  const rows = useMemo<ThreadRow[]>(
    () => [
      ...(state.hasMore ? [] : [{ kind: 'start' as const, key: 'start' }]),
      ...state.messages.map((message) => ({
        kind: 'message' as const,
        key: `m${message.id}`,
        message,
        own: message.senderId === user.id,
      })),
      ...state.outgoing.map((outgoing) => ({
        kind: 'outgoing' as const,
        key: `o${outgoing.clientMessageId}`,
        outgoing,
      })),
    ],
    [state.hasMore, state.messages, state.outgoing, user.id],
  );

  const title = conversation ? conversationTitle(conversation, user.id) : 'Conversation';

  return (
    <div className="thread" data-testid="thread" data-conversation-id={conversationId}>
      <header className="thread__header">
        <a className="thread__back" href="#/conversations">
          <span aria-hidden="true">←</span> Conversations
        </a>
        <h2 className="thread__title">{title}</h2>
        {conversation && (conversation.title !== null || conversation.participants.length > 2) && (
          <p className="thread__participants muted">
            {conversation.participants.map((participant) => participant.displayName).join(', ')}
          </p>
        )}
      </header>
      {state.status === 'loading' && (
        <p className="thread__placeholder" role="status">
          Loading messages…
        </p>
      )}
      {state.status === 'error' && (
        <p className="thread__placeholder form-error" role="alert">
          {state.error}
        </p>
      )}
      {state.status === 'ready' && (
        <>
          {state.messages.length === 0 && state.outgoing.length === 0 ? (
            <p className="thread__placeholder muted">No messages yet. Say hello.</p>
          ) : (
            <MessageList
              rows={rows}
              hasMore={state.hasMore}
              loadingOlder={state.loadingOlder}
              onLoadOlder={() => void loadOlder()}
              onRetry={retry}
            />
          )}
          <Composer
            onSend={send}
            label={`Message to ${title}`}
            urgentOptions={(value, change) => (
              <EscalationTargetPicker value={value} onChange={change} />
            )}
          />
        </>
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </div>
  );
}
