import type { Message, MessagesResponse } from '../../../common/api.js';

export interface ThreadState {
  status: 'loading' | 'ready' | 'error';
  error: string | null;
  /** Confirmed messages, oldest first, one per id. */
  messages: Message[];
  hasMore: boolean;
  loadingOlder: boolean;
}

export type ThreadAction =
  | { type: 'loaded'; page: MessagesResponse }
  | { type: 'load_failed'; error: string }
  | { type: 'older_started' }
  | { type: 'older_loaded'; page: MessagesResponse }
  | { type: 'older_failed' }
  | { type: 'received'; messages: Message[] }
  | { type: 'refreshed'; page: MessagesResponse }
  | { type: 'changed'; message: Message };

export const LOADING_THREAD: ThreadState = {
  status: 'loading',
  error: null,
  messages: [],
  hasMore: false,
  loadingOlder: false,
};

/** Adds messages, keeping id order and one copy of each, whichever way (REST, event, send) they came. */
export function mergeMessages(current: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return current;
  const byId = new Map(current.map((message) => [message.id, message]));
  let changed = false;
  for (const message of incoming) {
    if (byId.has(message.id)) continue;
    byId.set(message.id, message);
    changed = true;
  }
  if (!changed) return current;
  return [...byId.values()].sort((a, b) => a.id - b.id);
}

/**
 * While older pages are still unloaded, a message older than the oldest one shown belongs to
 * that unloaded stretch: showing it alone would leave holes (an event brings one message, not
 * those around it). Loading older pages brings it, in place.
 */
function withinLoadedRange(messages: Message[], hasMore: boolean, incoming: Message[]): Message[] {
  const oldest = messages[0]?.id;
  if (!hasMore || oldest === undefined) return incoming;
  return incoming.filter((message) => message.id > oldest);
}

export function threadReducer(state: ThreadState, action: ThreadAction): ThreadState {
  switch (action.type) {
    case 'loaded': {
      // Messages that came by event while the first page was on its way are kept if they are newer.
      const early = action.page.hasMore
        ? state.messages.filter((message) => message.id > (action.page.messages[0]?.id ?? 0))
        : state.messages;
      return {
        ...state,
        status: 'ready',
        error: null,
        messages: mergeMessages(early, action.page.messages),
        hasMore: action.page.hasMore,
      };
    }
    case 'load_failed':
      return { ...state, status: 'error', error: action.error };
    case 'older_started':
      return { ...state, loadingOlder: true };
    case 'older_loaded':
      return {
        ...state,
        loadingOlder: false,
        hasMore: action.page.hasMore,
        messages: mergeMessages(state.messages, action.page.messages),
      };
    case 'older_failed':
      return { ...state, loadingOlder: false };
    case 'received': {
      const incoming = withinLoadedRange(state.messages, state.hasMore, action.messages);
      return {
        ...state,
        messages: mergeMessages(state.messages, incoming),
      };
    }
    case 'changed':
      // An edit, a deletion or an acknowledgement: the message as it is now, where it was.
      return {
        ...state,
        messages: state.messages.map((message) =>
          message.id === action.message.id ? action.message : message,
        ),
      };
    case 'refreshed': {
      const newest = state.messages.at(-1)?.id ?? 0;
      const pageOldest = action.page.messages[0]?.id ?? 0;
      // More was written meanwhile than one page holds: what is shown no longer joins up with
      // the newest page, so the newest page replaces it and older pages load on scrolling.
      const gap = action.page.hasMore && pageOldest > newest;
      return {
        ...state,
        messages: gap ? action.page.messages : mergeMessages(state.messages, action.page.messages),
        hasMore: gap ? true : state.hasMore,
      };
    }
  }
}
