import { PresenceLabel } from '../presence/PresenceLabel.js';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../../../common/api.js';
import { EscalationTargetPicker } from '../alerts/EscalationTargetPicker.js';
import { useReportRendered } from '../alerts/useReportRendered.js';
import { useApi, useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import {
  useQueuedMessages,
  useSendQueue,
  useSentMessages,
} from '../send-queue/SendQueueProvider.js';
import { Composer } from './Composer.js';
import { ConversationSettingsDialog } from './ConversationSettingsDialog.js';
import { conversationTitle, messageFromEvent } from './conversation-list-state.js';
import { MessageList, type MessageActions, type ThreadRow } from './MessageList.js';
import { useThread } from './useThread.js';

interface ThreadViewProps {
  conversationId: number;
  /** A message to bring into view and mark (a search result), loading older pages to reach it. */
  focusMessageId?: number | null;
  onRead(conversationId: number): void;
}

/** Older pages loaded at most to reach a searched message, so a stale link cannot load for ever. */
const MAX_PAGES_TO_FIND = 40;

export function ThreadView({ conversationId, focusMessageId = null, onRead }: ThreadViewProps) {
  const api = useApi();
  const { user } = useSession();
  const {
    state,
    conversation,
    setConversation,
    loadOlder,
    refreshLatest,
    refreshConversation,
    receive,
    change,
  } = useThread(conversationId);
  const [managing, setManaging] = useState(false);
  const [replyingTo, setReplyingTo] = useState<Message | null>(null);
  const queue = useSendQueue();
  const queued = useQueuedMessages();
  const [announcement, setAnnouncement] = useState('');
  const titleRef = useRef<HTMLHeadingElement>(null);

  // Picking a conversation takes keyboard and screen-reader focus to it, not left in the list
  // (which a narrow window hides once a conversation is open).
  useEffect(() => {
    titleRef.current?.focus({ preventScroll: true });
  }, []);

  useSentMessages(
    useCallback(
      (message: Message) => {
        if (message.conversationId === conversationId) receive(message);
      },
      [conversationId, receive],
    ),
  );

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
    // An edit, a deletion or a 👍, from any desk: the message as it is now.
    onMessageChanged: (event) => {
      if (event.conversation_id !== String(conversationId)) return;
      const current = state.messages.find((message) => String(message.id) === event.message_id);
      if (!current) return;
      const acknowledgedBy = event.acknowledged_by.map(Number).filter(Number.isSafeInteger);
      const {
        editedAt: _editedAt,
        deleted: _deleted,
        acknowledgedBy: _acknowledged,
        ...plain
      } = current;
      change({
        ...plain,
        text: event.text,
        ...(event.edited_at ? { editedAt: event.edited_at } : {}),
        ...(event.deleted ? { deleted: true as const } : {}),
        ...(acknowledgedBy.length > 0 ? { acknowledgedBy } : {}),
      });
    },
    // Renamed, people added or removed — perhaps this person.
    onConversationChanged: (event) => {
      if (event.conversation_id === String(conversationId)) void refreshConversation();
    },
    onResync: () => void refreshLatest(),
  });

  const actions = useMemo<MessageActions>(
    () => ({
      myId: user.id,
      edit: async (message, text) =>
        change((await api.editMessage(conversationId, message.id, text)).message),
      remove: async (message) =>
        change((await api.deleteMessage(conversationId, message.id)).message),
      acknowledge: async (message, acknowledged) =>
        change((await api.acknowledgeMessage(conversationId, message.id, acknowledged)).message),
      reply: (message) => setReplyingTo(message),
    }),
    [api, change, conversationId, user.id],
  );
  useReportRendered(state.messages, user.id);

  // A searched message older than the pages shown: load older pages until it is there.
  const focusShown =
    focusMessageId !== null && state.messages.some((message) => message.id === focusMessageId);
  const pagesLoadedToFind = useRef(0);
  useEffect(() => {
    if (focusMessageId === null || focusShown || state.status !== 'ready') return;
    if (!state.hasMore || state.loadingOlder || pagesLoadedToFind.current >= MAX_PAGES_TO_FIND)
      return;
    pagesLoadedToFind.current++;
    void loadOlder();
  }, [focusMessageId, focusShown, state.status, state.hasMore, state.loadingOlder, loadOlder]);

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

  // Queued messages of this conversation, below every confirmed one and in the order written;
  // one whose confirmed copy is already shown (its event came before the answer) is not repeated.
  const outgoing = useMemo(() => {
    const confirmed = new Set(state.messages.map((message) => message.clientMessageId));
    return queued.filter(
      (item) => item.conversationId === conversationId && !confirmed.has(item.clientMessageId),
    );
  }, [queued, conversationId, state.messages]);

  const rows = useMemo<ThreadRow[]>(
    () => [
      ...(state.hasMore ? [] : [{ kind: 'start' as const, key: 'start' }]),
      ...state.messages.map((message) => ({
        kind: 'message' as const,
        key: `m${message.id}`,
        message,
        own: message.senderId === user.id,
      })),
      ...outgoing.map((item) => ({
        kind: 'outgoing' as const,
        key: `o${item.clientMessageId}`,
        outgoing: item,
      })),
    ],
    [state.hasMore, state.messages, outgoing, user.id],
  );

  const title = conversation ? conversationTitle(conversation, user.id) : 'Conversation';

  return (
    <div className="thread" data-testid="thread" data-conversation-id={conversationId}>
      <header className="thread__header">
        {/* A narrow window hides the list and its heading while a conversation is open. */}
        <h1 className="visually-hidden thread__page-title">Messages</h1>
        <a className="thread__back" href="#/conversations">
          <span aria-hidden="true">←</span> Conversations
        </a>
        <div className="thread__title-row">
          <h2 className="thread__title" ref={titleRef} tabIndex={-1}>
            {title}
            {conversation?.muted && <span className="muted thread__muted"> · muted</span>}
          </h2>
          {conversation && state.status === 'ready' && (
            <button
              type="button"
              className="button button--small"
              onClick={() => setManaging(true)}
            >
              Conversation settings
            </button>
          )}
        </div>
        {conversation && (
          <ul className="thread__presence" aria-label="Who is at their desk">
            {conversation.participants
              .filter((participant) => participant.id !== user.id)
              .map((participant) => (
                <li
                  key={participant.id}
                  data-testid="participant-presence"
                  data-user-id={participant.id}
                >
                  {/* An untitled one-to-one is already named after the colleague. */}
                  {(conversation.title !== null || conversation.participants.length > 2) && (
                    <span className="thread__presence-name">{participant.displayName}</span>
                  )}
                  <PresenceLabel userId={participant.id} />
                </li>
              ))}
          </ul>
        )}
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
          {state.messages.length === 0 && outgoing.length === 0 ? (
            <p className="thread__placeholder muted">No messages yet. Say hello.</p>
          ) : (
            <MessageList
              rows={rows}
              hasMore={state.hasMore}
              loadingOlder={state.loadingOlder}
              onLoadOlder={() => void loadOlder()}
              focusKey={focusShown ? `m${focusMessageId}` : null}
              actions={actions}
              onRetry={(clientMessageId) => queue.retry(clientMessageId)}
              onDiscard={(clientMessageId) => queue.discard(clientMessageId)}
            />
          )}
          {replyingTo && (
            <div className="reply-bar" data-testid="replying-to">
              <span>
                Replying to{' '}
                <strong>
                  {replyingTo.senderId === user.id ? 'yourself' : replyingTo.senderName}
                </strong>
                : <span className="reply-bar__text">{replyingTo.text}</span>
              </span>
              <button
                type="button"
                className="button button--tiny"
                aria-label="Do not reply to this message"
                onClick={() => setReplyingTo(null)}
              >
                ✕
              </button>
            </div>
          )}
          <Composer
            onSend={(text, options) => {
              queue.enqueue(conversationId, text, {
                ...options,
                ...(replyingTo
                  ? {
                      replyTo: {
                        id: replyingTo.id,
                        senderName: replyingTo.senderName,
                        text: replyingTo.text,
                      },
                    }
                  : {}),
              });
              setReplyingTo(null);
            }}
            label={`Message to ${title}`}
            urgentOptions={(value, change) => (
              <EscalationTargetPicker value={value} onChange={change} />
            )}
          />
        </>
      )}
      {managing && conversation && (
        <ConversationSettingsDialog
          conversation={conversation}
          onClose={() => setManaging(false)}
          onChanged={setConversation}
          onLeft={() => {
            window.location.hash = '#/conversations';
          }}
        />
      )}
      <p className="visually-hidden" aria-live="polite" aria-atomic="true">
        {announcement}
      </p>
    </div>
  );
}
