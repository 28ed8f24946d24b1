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

  useEffect(() => {
    void loadReadMark();
  }, [loadReadMark]);

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
    onResync: (control) => {
      dispatch({ type: 'resync', lastEventId: control.lastEventId });
      void loadReadMark();
    },
  });

  const markAllRead = useCallback(async () => {
    const newest = newestEventId(state);
    if (newest === null) return;
    dispatch({ type: 'read_up_to', lastEventId: newest });
    await platform.markAllRead(newest);
  }, [platform, state]);

  const value = useMemo(
    () => ({ state, unread: unreadCount(state), markAllRead }),
    [state, markAllRead],
  );
  return <InboxContext.Provider value={value}>{children}</InboxContext.Provider>;
}

export function useInbox(): Inbox {
  const inbox = useContext(InboxContext);
  if (!inbox) throw new Error('useInbox must be used inside <InboxProvider>');
  return inbox;
}
