import { useCallback, useEffect, useRef, useState } from 'react';
import type { Conversation } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { sortConversations } from './conversation-list-state.js';

/**
 * A change worked out from the list as it is; null when the list alone cannot tell the outcome
 * (a conversation it does not hold, a count it cannot know).
 */
export type ConversationListChange = (conversations: Conversation[]) => Conversation[] | null;

export function useConversationList() {
  const api = useApi();
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Events can follow each other before React renders again: each change must start from the
  // list the one before it left, and whether to reload is decided on that list too.
  const latest = useRef<Conversation[] | null>(null);

  const show = useCallback((next: Conversation[]) => {
    latest.current = next;
    setConversations(next);
  }, []);

  // Reloads can overlap (two events that each need the server's list); only the latest request's
  // answer is shown, so a slow, older answer cannot overwrite a newer list.
  const latestRequest = useRef(0);

  const reload = useCallback(() => {
    const request = ++latestRequest.current;
    return api.conversations().then(
      (response) => {
        if (request !== latestRequest.current) return;
        show(sortConversations(response.conversations));
        setError(null);
      },
      (failure: unknown) => {
        if (request === latestRequest.current) setError(describeError(failure));
      },
    );
  }, [api, show]);

  useEffect(() => {
    void reload();
  }, [reload]);

  /** Applies a change to the list, or loads the list again when the change cannot tell. */
  const apply = useCallback(
    (change: ConversationListChange) => {
      const next = latest.current && change(latest.current);
      if (next) show(next);
      else void reload();
    },
    [reload, show],
  );

  return { conversations, error, reload, apply };
}
