import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useReducer,
  type ReactNode,
} from 'react';
import { readPosition } from '../../../common/conversation-position.js';
import { isNotifyingEvent } from '../../../common/events.js';
import { useSession } from '../app/session-context.js';
import { useEvents } from '../events/useEvents.js';
import {
  EMPTY_INBOX,
  inboxReducer,
  newestEventId,
  unreadCount,
  type InboxState,
} from './inbox-state.js';

export interface Inbox {
  state: InboxState;
  unread: number;
  markAllRead(): Promise<void>;
  /** Marks single notifications read or unread, on every desk of the user. */
  mark(eventIds: readonly number[], read: boolean): Promise<void>;
}

const InboxContext = createContext<Inbox | null>(null);

/**
 * Every notification this page received (the server replays the last hour on connect), and
 * the user's read mark, which the server keeps so all desks agree.
 */
export function InboxProvider({ children }: { children: ReactNode }) {
  const { api, platform } = useSession();
  const [state, dispatch] = useReducer(inboxReducer, EMPTY_INBOX);

  const loadReadMark = useCallback(async () => {
    try {
      const { lastReadEventId } = await api.eventsState();
      dispatch({ type: 'read_up_to', lastEventId: lastReadEventId });
    } catch {
      // Unread marks stay unknown; the next notifications_read event or resync brings them.
    }
  }, [api]);

  const loadMarks = useCallback(async () => {
    try {
      const { marks } = await api.notificationMarks();
      dispatch({ type: 'marks_loaded', marks });
    } catch {
      // The marks arrive with the next notifications_marked event, or at the next resync.
    }
  }, [api]);

  useEffect(() => {
    void loadReadMark();
    void loadMarks();
  }, [loadReadMark, loadMarks]);

  useEvents({
    onEvent: (event) => {
      if (isNotifyingEvent(event)) dispatch({ type: 'received', event });
    },
    onNotificationsRead: (event) =>
      dispatch({ type: 'read_up_to', lastEventId: event.lastEventId }),
    onConversationRead: (event) => {
      const read = readPosition(event);
      if (read) dispatch({ type: 'conversation_read', read });
    },
    onNotificationsMarked: (event) =>
      dispatch({ type: 'marked', eventIds: event.event_ids, read: event.read }),
    onResync: (control) => {
      dispatch({ type: 'resync', lastEventId: control.lastEventId });
      void loadReadMark();
      void loadMarks();
    },
  });

  const mark = useCallback(
    async (eventIds: readonly number[], read: boolean) => {
      if (eventIds.length === 0) return;
      dispatch({ type: 'marked', eventIds, read });
      await api.markNotifications({ eventIds: [...eventIds], read });
    },
    [api],
  );

  const markAllRead = useCallback(async () => {
    const newest = newestEventId(state);
    if (newest === null) return;
    // Marked unread one by one, they would stay unread below the moved marker.
    const markedUnread = [...state.marks].filter(([, read]) => !read).map(([id]) => id);
    dispatch({ type: 'read_up_to', lastEventId: newest });
    await Promise.all([
      platform.markAllRead(newest),
      ...(markedUnread.length > 0 ? [mark(markedUnread.slice(-200), true)] : []),
    ]);
  }, [platform, state, mark]);

  const value = useMemo(
    () => ({ state, unread: unreadCount(state), markAllRead, mark }),
    [state, markAllRead, mark],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}

export function useInbox(): Inbox {
  const inbox = useContext(InboxContext);
  if (!inbox) throw new Error('useInbox must be used inside <InboxProvider>');
  return inbox;
}
