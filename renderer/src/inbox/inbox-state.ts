import {
  announcedMessage,
  readCovers,
  type ConversationPosition,
} from '../../../common/conversation-position.js';
import type { NotifyingEvent } from '../../../common/events.js';

/** The newest this many notifications stay in the inbox; older ones fall off the end. */
export const INBOX_LIMIT = 500;

export interface InboxState {
  /** Newest first, one entry per event id. */
  items: NotifyingEvent[];
  /** How far the user marked notifications read (on any desk); null until the server said. */
  lastReadEventId: number | null;
  /**
   * How far the user read each conversation (on any desk), by conversation id: a message
   * notification it reaches is read, whatever the marker says.
   */
  conversationReads: ReadonlyMap<string, number>;
  /**
   * Notifications marked read (true) or unread (false) one by one, on any desk, by event id:
   * a mark overrides everything else for its notification.
   */
  marks: ReadonlyMap<number, boolean>;
}

export type InboxAction =
  | { type: 'received'; event: NotifyingEvent }
  | { type: 'read_up_to'; lastEventId: number }
  | { type: 'conversation_read'; read: ConversationPosition }
  | { type: 'resync'; lastEventId: number }
  | { type: 'marked'; eventIds: readonly number[]; read: boolean }
  | { type: 'marks_loaded'; marks: readonly { eventId: number; read: boolean }[] };

export const EMPTY_INBOX: InboxState = {
  items: [],
  lastReadEventId: null,
  conversationReads: new Map(),
  marks: new Map(),
};

export function inboxReducer(state: InboxState, action: InboxAction): InboxState {
  switch (action.type) {
    case 'received': {
      const { event } = action;
      if (state.items.some((item) => item.id === event.id)) return state;
      // Events normally arrive in id order, so this is nearly always an insert at the front.
      const index = state.items.findIndex((item) => item.id < event.id);
      const items = index === -1 ? [...state.items, event] : state.items.toSpliced(index, 0, event);
      return { ...state, items: items.slice(0, INBOX_LIMIT) };
    }
    case 'read_up_to':
      // Read marks only move forward, as on the server: a late, older ack changes nothing.
      if (state.lastReadEventId !== null && action.lastEventId <= state.lastReadEventId)
        return state;
      return { ...state, lastReadEventId: action.lastEventId };
    case 'conversation_read': {
      const { conversationId, messageId } = action.read;
      if (messageId <= (state.conversationReads.get(conversationId) ?? 0)) return state;
      return {
        ...state,
        conversationReads: new Map(state.conversationReads).set(conversationId, messageId),
      };
    }
    case 'marked': {
      const marks = new Map(state.marks);
      for (const id of action.eventIds) marks.set(id, action.read);
      return { ...state, marks };
    }
    case 'marks_loaded': {
      // Marks made on this page while the list was on its way are newer than the list.
      const marks = new Map(action.marks.map((mark) => [mark.eventId, mark.read]));
      for (const [id, read] of state.marks) marks.set(id, read);
      return { ...state, marks };
    }
    case 'resync': {
      // Ids above the server's position belong to a history it no longer has (or never had);
      // new events may reuse them. The read mark is reloaded by the caller.
      const items = state.items.filter((item) => item.id <= action.lastEventId);
      return items.length === state.items.length ? state : { ...state, items };
    }
  }
}

export function isUnread(state: InboxState, event: NotifyingEvent): boolean {
  const mark = state.marks.get(event.id);
  if (mark !== undefined) return !mark;
  if (state.lastReadEventId === null || event.id <= state.lastReadEventId) return false;
  const message = announcedMessage(event);
  if (!message) return true;
  const readUpTo = state.conversationReads.get(message.conversationId);
  return (
    readUpTo === undefined ||
    !readCovers({ conversationId: message.conversationId, messageId: readUpTo }, message)
  );
}

export function unreadCount(state: InboxState): number {
  return state.items.filter((item) => isUnread(state, item)).length;
}

/** The id "mark all read" acknowledges: the newest event this inbox holds. */
export function newestEventId(state: InboxState): number | null {
  return state.items[0]?.id ?? null;
}
