import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  MESSAGE_EDIT_WINDOW_MINUTES,
  type Message,
  type MessageQuote,
} from '../../../common/api.js';
import { AcknowledgeAction } from '../alerts/AcknowledgeAction.js';
import { EscalationLine } from '../alerts/EscalationLine.js';
import { ReceiptLine } from '../alerts/ReceiptLine.js';
import { describeError } from '../api/api-error.js';
import { useNow } from '../hooks/useNow.js';
import { formatWhen, machineTime } from '../lib/format.js';
import type { QueuedMessage } from '../send-queue/queued-message.js';
import { PriorityLabel } from './PriorityLabel.js';

export type ThreadRow =
  | { kind: 'start'; key: string }
  | { kind: 'message'; key: string; message: Message; own: boolean }
  | { kind: 'outgoing'; key: string; outgoing: QueuedMessage };

interface MessageListProps {
  rows: ThreadRow[];
  hasMore: boolean;
  loadingOlder: boolean;
  onLoadOlder(): void;
  onRetry(clientMessageId: string): void;
  onDiscard(clientMessageId: string): void;
  /** The row to bring into view and mark (a search result), once it is loaded. */
  focusKey?: string | null;
  /** Changes to confirmed messages: their sender's edit and delete, anyone's 👍. */
  actions?: MessageActions;
}

export interface MessageActions {
  myId: number;
  edit(message: Message, text: string): Promise<void>;
  remove(message: Message): Promise<void>;
  acknowledge(message: Message, acknowledged: boolean): Promise<void>;
  reply(message: Message): void;
}

/** The earlier message a reply answers, quoted above it. */
function Quote({ quote }: { quote: MessageQuote }) {
  return (
    <blockquote className="message__quote">
      <span className="message__quote-sender">{quote.senderName}</span>{' '}
      {quote.text === '' ? <em>Message deleted</em> : quote.text}
    </blockquote>
  );
}

/** How close to the top (px) scrolling has to come before older messages are fetched. */
const LOAD_OLDER_THRESHOLD = 240;

/**
 * The conversation's messages, oldest at the top. Only the rows in view (plus a few) are in the
 * DOM, so a history of thousands stays smooth. The list is anchored to its end: older messages
 * loaded above keep the rows being read in place, and new ones are followed while the reader
 * is at the bottom.
 */
export function MessageList({
  rows,
  hasMore,
  loadingOlder,
  onLoadOlder,
  onRetry,
  onDiscard,
  focusKey = null,
  actions,
}: MessageListProps) {
  const now = useNow(30_000);
  const scrollRef = useRef<HTMLDivElement>(null);
  // TanStack Virtual keeps its own mutable state; the React Compiler must not memoise around it.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    // About a one-line message with its header and tools: rows much taller than the estimate
    // keep the list from reaching its end on opening, and then older pages never load.
    estimateSize: () => 100,
    getItemKey: (index) => rows[index]?.key ?? index,
    overscan: 8,
    anchorTo: 'end',
    followOnAppend: true,
    paddingStart: 12,
    paddingEnd: 12,
  });

  useLayoutEffect(() => {
    virtualizer.scrollToEnd();
    // Only on opening the conversation; afterwards the virtualizer follows appends itself.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const focusIndex = focusKey === null ? -1 : rows.findIndex((row) => row.key === focusKey);
  useEffect(() => {
    if (focusIndex >= 0) virtualizer.scrollToIndex(focusIndex, { align: 'center' });
  }, [focusIndex, virtualizer]);

  // A message this person just wrote is shown even when they had scrolled up to read.
  const lastRow = rows.at(-1);
  const lastOwnKey = lastRow?.kind === 'outgoing' ? lastRow.key : null;
  useEffect(() => {
    if (lastOwnKey !== null) virtualizer.scrollToEnd();
  }, [lastOwnKey, virtualizer]);

  // Scroll events fire while the list is still being brought to its end on opening; only once
  // it got there does nearing the top mean the reader is scrolling up.
  const reachedEnd = useRef(false);

  const maybeLoadOlder = () => {
    const element = scrollRef.current;
    if (!element) return;
    if (!reachedEnd.current) {
      reachedEnd.current = virtualizer.isAtEnd(48);
      return;
    }
    if (hasMore && !loadingOlder && element.scrollTop < LOAD_OLDER_THRESHOLD) onLoadOlder();
  };

  // A short first page may not fill the view, and then there is nothing to scroll.
  useEffect(() => {
    const element = scrollRef.current;
    if (element && hasMore && !loadingOlder && element.scrollHeight <= element.clientHeight)
      onLoadOlder();
  }, [hasMore, loadingOlder, onLoadOlder, rows.length]);

  const items = virtualizer.getVirtualItems();

  return (
    <div className="thread__viewport">
      {loadingOlder && (
        <p className="thread__loading" role="status">
          Loading older messages…
        </p>
      )}
      <div
        ref={scrollRef}
        className="thread__scroll"
        onScroll={maybeLoadOlder}
        tabIndex={0}
        role="region"
        aria-label="Messages in this conversation"
        aria-busy={loadingOlder}
      >
        <div className="thread__rows" role="list" style={{ height: virtualizer.getTotalSize() }}>
          {items.map((item) => {
            const row = rows[item.index];
            if (!row) return null;
            return (
              <div
                key={item.key}
                ref={virtualizer.measureElement}
                data-index={item.index}
                role="listitem"
                aria-setsize={hasMore ? -1 : rows.length}
                aria-posinset={item.index + 1}
                className="thread__row"
                style={{ transform: `translateY(${item.start}px)` }}
              >
                {row.kind === 'message' && (
                  <MessageBubble
                    message={row.message}
                    own={row.own}
                    found={row.key === focusKey}
                    actions={actions}
                    now={now}
                  />
                )}
                {row.kind === 'outgoing' && (
                  <OutgoingBubble outgoing={row.outgoing} onRetry={onRetry} onDiscard={onDiscard} />
                )}
                {row.kind === 'start' && (
                  <p className="thread__start">This is the start of the conversation.</p>
                )}
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}

function MessageBubble({
  message,
  own,
  found,
  actions,
  now,
}: {
  message: Message;
  own: boolean;
  found: boolean;
  actions: MessageActions | undefined;
  now: number;
}) {
  const [editing, setEditing] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const changeable =
    own &&
    !message.deleted &&
    now - Date.parse(message.createdAt) < MESSAGE_EDIT_WINDOW_MINUTES * 60_000;
  const acknowledgedBy = message.acknowledgedBy ?? [];
  const mine = actions ? acknowledgedBy.includes(actions.myId) : false;

  const attempt = (change: () => Promise<void>) => {
    setError(null);
    change().then(
      () => setEditing(null),
      (failure: unknown) => setError(describeError(failure)),
    );
  };

  const urgent = message.priority === 'urgent';
  return (
    <article
      className={[
        'message',
        own && 'message--own',
        urgent && 'message--urgent',
        found && 'message--found',
      ]
        .filter(Boolean)
        .join(' ')}
      data-message-id={message.id}
      data-priority={message.priority}
      aria-current={found ? 'true' : undefined}
    >
      <header className="message__meta">
        <span className="message__sender">{own ? 'You' : message.senderName}</span>
        {urgent && <PriorityLabel />}
        <time dateTime={machineTime(message.createdAt)}>{formatWhen(message.createdAt)}</time>
        {message.editedAt && !message.deleted && <span className="message__edited">edited</span>}
        {own && <span className="message__status message__status--sent">Sent</span>}
        {actions && !message.deleted && editing === null && (
          <span className="message__tools">
            <button
              type="button"
              className={mine ? 'button button--tiny button--pressed' : 'button button--tiny'}
              aria-pressed={mine}
              onClick={() => attempt(() => actions.acknowledge(message, !mine))}
            >
              <span aria-hidden="true">👍</span>
              <span className="visually-hidden">Thumbs up</span>
              {acknowledgedBy.length > 0 && ` ${acknowledgedBy.length}`}
            </button>
            <button
              type="button"
              className="button button--tiny"
              onClick={() => actions.reply(message)}
            >
              Reply
            </button>
            {changeable && (
              <>
                <button
                  type="button"
                  className="button button--tiny"
                  onClick={() => setEditing(message.text)}
                >
                  Edit
                </button>
                <button
                  type="button"
                  className="button button--tiny"
                  onClick={() => attempt(() => actions.remove(message))}
                >
                  Delete
                </button>
              </>
            )}
          </span>
        )}
      </header>
      {message.replyTo && !message.deleted && <Quote quote={message.replyTo} />}
      {message.deleted ? (
        <p className="message__text message__text--deleted">Message deleted</p>
      ) : editing !== null ? (
        <form
          className="message__edit"
          onSubmit={(event) => {
            event.preventDefault();
            if (actions) attempt(() => actions.edit(message, editing));
          }}
        >
          <label className="visually-hidden" htmlFor={`edit-${message.id}`}>
            Edit your message
          </label>
          <textarea
            id={`edit-${message.id}`}
            className="composer__input"
            value={editing}
            maxLength={4_000}
            onChange={(event) => setEditing(event.target.value)}
          />
          <div className="message__tools">
            <button type="submit" className="button button--small button--primary">
              Save
            </button>
            <button type="button" className="button button--small" onClick={() => setEditing(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : (
        <p className="message__text">{message.text}</p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {urgent && message.alertId !== null && <EscalationLine messageId={message.id} />}
      {own && message.alertId !== null && <ReceiptLine messageId={message.id} />}
      {!own && urgent && message.alertId !== null && (
        <AcknowledgeAction alertId={message.alertId} messageId={message.id} />
      )}
    </article>
  );
}

const OUTGOING_STATUS: Record<QueuedMessage['status'], string> = {
  queued: 'Queued',
  sending: 'Sending…',
  failed: 'Not sent',
};

/** A message of this desk the server has not confirmed: queued, on its way, or refused. */
function OutgoingBubble({
  outgoing,
  onRetry,
  onDiscard,
}: {
  outgoing: QueuedMessage;
  onRetry(clientMessageId: string): void;
  onDiscard(clientMessageId: string): void;
}) {
  const failed = outgoing.status === 'failed';
  return (
    <article
      className={`message message--own message--${outgoing.status}`}
      data-client-message-id={outgoing.clientMessageId}
      data-status={outgoing.status}
    >
      <header className="message__meta">
        <span className="message__sender">You</span>
        {outgoing.priority === 'urgent' && <PriorityLabel />}
        <span className={`message__status message__status--${outgoing.status}`}>
          {OUTGOING_STATUS[outgoing.status]}
        </span>
      </header>
      {outgoing.replyTo && <Quote quote={outgoing.replyTo} />}
      <p className="message__text">{outgoing.text}</p>
      {outgoing.status === 'queued' && outgoing.error && (
        <p className="message__queued muted">{outgoing.error}</p>
      )}
      {failed && (
        <div className="message__failure">
          <span>{outgoing.error}</span>
          <button
            type="button"
            className="button button--small"
            onClick={() => onRetry(outgoing.clientMessageId)}
          >
            Retry
          </button>
          <button
            type="button"
            className="button button--small"
            onClick={() => onDiscard(outgoing.clientMessageId)}
          >
            Delete
          </button>
        </div>
      )}
    </article>
  );
}
