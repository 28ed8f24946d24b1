import { useCallback, useEffect, useRef, useState } from 'react';
import { describeError } from '../api/api-error.js';
import { eventSummary, eventTypeLabel } from '../inbox/event-summary.js';
import { isUnread } from '../inbox/inbox-state.js';
import { useInbox } from '../inbox/InboxProvider.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { routeForEvent } from '../routing/event-route.js';
import { routeHref } from '../routing/route.js';

export function NotificationsPage({ eventId }: { eventId: number | null }) {
  const { state, unread, markAllRead, mark } = useInbox();
  const [error, setError] = useState<string | null>(null);
  const selected = eventId === null ? undefined : state.items.find((item) => item.id === eventId);

  const setRead = useCallback(
    (id: number, read: boolean) => {
      setError(null);
      mark([id], read).catch((failure: unknown) => setError(describeError(failure)));
    },
    [mark],
  );

  // A notice opened here (from the list, a pop-up or a link) has been read — once per opening,
  // so "Mark unread" on the open notice holds.
  const selectedShown = selected !== undefined;
  const selectedUnread = selectedShown && isUnread(state, selected);
  const autoMarked = useRef<number | null>(null);
  useEffect(() => {
    if (eventId === null || !selectedShown || autoMarked.current === eventId) return;
    autoMarked.current = eventId;
    if (selectedUnread)
      mark([eventId], true).catch((failure: unknown) => setError(describeError(failure)));
  }, [selectedShown, selectedUnread, eventId, mark]);

  async function handleMarkAllRead() {
    setError(null);
    try {
      await markAllRead();
    } catch (failure) {
      setError(describeError(failure));
    }
  }

  return (
    <div className="page">
      <div className="page-header">
        <h1 className="page-title" tabIndex={-1}>
          Notifications
        </h1>
        <p className="muted" data-testid="inbox-unread">
          {unread === 0 ? 'All read' : `${unread} unread`}
        </p>
        <button
          type="button"
          className="button"
          disabled={unread === 0}
          onClick={() => void handleMarkAllRead()}
        >
          Mark all read
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {selected && (
        <section className="card notice-detail" aria-labelledby="notice-detail-heading">
          <h2 id="notice-detail-heading">{eventTypeLabel(selected)}</h2>
          <p className="muted">
            <time dateTime={machineTime(selected.timestamp)}>{formatWhen(selected.timestamp)}</time>
          </p>
          <p className="notice-detail__text">{eventSummary(selected)}</p>
          <a className="button button--small" href="#/notifications">
            Close
          </a>
        </section>
      )}
      {state.items.length === 0 ? (
        <p className="empty muted">
          Nothing yet. New messages, appointment reminders and system notices will appear here.
        </p>
      ) : (
        <ul className="inbox" aria-label="Notifications, newest first">
          {state.items.map((item) => {
            const itemUnread = isUnread(state, item);
            return (
              <li key={item.id} className="inbox-row">
                <a
                  className={itemUnread ? 'inbox-item inbox-item--unread' : 'inbox-item'}
                  href={routeHref(routeForEvent(item))}
                  data-testid="inbox-item"
                  data-event-type={item.type}
                  data-unread={itemUnread}
                  aria-current={item.id === eventId ? 'true' : undefined}
                  // Opening a notification reads it, on every desk.
                  onClick={() => {
                    if (itemUnread) setRead(item.id, true);
                  }}
                >
                  <span className={`inbox-item__type inbox-item__type--${item.type}`}>
                    {eventTypeLabel(item)}
                  </span>
                  <time className="inbox-item__time" dateTime={machineTime(item.timestamp)}>
                    {formatWhen(item.timestamp)}
                  </time>
                  <span className="inbox-item__text">{eventSummary(item)}</span>
                  {itemUnread && <span className="inbox-item__unread">Unread</span>}
                </a>
                <button
                  type="button"
                  className="button button--small inbox-row__toggle"
                  onClick={() => setRead(item.id, itemUnread)}
                  aria-label={`${itemUnread ? 'Mark read' : 'Mark unread'}: ${eventTypeLabel(item)}, ${formatWhen(item.timestamp)}`}
                >
                  {itemUnread ? 'Mark read' : 'Mark unread'}
                </button>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
