import { useCallback, useEffect, useReducer, useState } from 'react';
import type { Conversation, Message } from '../../../common/api.js';
import { ApiError, describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { LOADING_THREAD, threadReducer } from './thread-state.js';

export const PAGE_SIZE = 50;

function loadError(error: unknown): string {
  if (error instanceof ApiError && (error.status === 403 || error.status === 404)) {
    return 'This conversation does not exist, or you are not part of it.';
  }
  return describeError(error);
}

/**
 * One conversation's messages: the newest page on open, older pages on request, messages
 * arriving by event or from this desk's send queue merged in.
 * The hook belongs to one conversation; a new id means a new component (keyed by id).
 */
export function useThread(conversationId: number) {
  const api = useApi();
  const [state, dispatch] = useReducer(threadReducer, LOADING_THREAD);
  const [conversation, setConversation] = useState<Conversation | null>(null);

  useEffect(() => {
    let cancelled = false;
    Promise.all([
      api.conversation(conversationId),
      api.messages(conversationId, { limit: PAGE_SIZE }),
    ]).then(
      ([details, page]) => {
        if (cancelled) return;
        setConversation(details.conversation);
        dispatch({ type: 'loaded', page });
      },
      (error: unknown) => {
        if (!cancelled) dispatch({ type: 'load_failed', error: loadError(error) });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [api, conversationId]);

  /** Fetches the conversation again (renamed, people changed); gone means the person left it. */
  const refreshConversation = useCallback(async () => {
    try {
      setConversation((await api.conversation(conversationId)).conversation);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404)
        dispatch({ type: 'load_failed', error: 'You are no longer in this conversation.' });
    }
  }, [api, conversationId]);

  /** Fetches the newest page again, for events that do not carry the message, and after a resync. */
  const refreshLatest = useCallback(async () => {
    try {
      dispatch({
        type: 'refreshed',
        page: await api.messages(conversationId, { limit: PAGE_SIZE }),
      });
    } catch {
      // What is shown stays; the next event or resync tries again.
    }
  }, [api, conversationId]);

  const oldestId = state.messages[0]?.id;
  const { hasMore, loadingOlder } = state;
  const loadOlder = useCallback(async () => {
    if (!hasMore || loadingOlder || oldestId === undefined) return;
    dispatch({ type: 'older_started' });
    try {
      dispatch({
        type: 'older_loaded',
        page: await api.messages(conversationId, { before: oldestId, limit: PAGE_SIZE }),
      });
    } catch {
      dispatch({ type: 'older_failed' });
    }
  }, [api, conversationId, hasMore, loadingOlder, oldestId]);

  const change = useCallback((message: Message) => dispatch({ type: 'changed', message }), []);

  const receive = useCallback(
    (message: Message) => dispatch({ type: 'received', messages: [message] }),
    [],
  );

  return {
    state,
    conversation,
    setConversation,
    loadOlder,
    refreshLatest,
    refreshConversation,
    receive,
    change,
  };
}
