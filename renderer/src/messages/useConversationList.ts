import { useCallback, useEffect, useState } from 'react';
import type { Conversation } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi } from '../app/session-context.js';
import { sortConversations } from './conversation-list-state.js';

export function useConversationList() {
  const api = useApi();
  const [conversations, setConversations] = useState<Conversation[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(
    () =>
      api.conversations().then(
        (response) => {
          setConversations(sortConversations(response.conversations));
          setError(null);
        },
        (failure: unknown) => setError(describeError(failure)),
      ),
    [api],
  );

  useEffect(() => {
    void reload();
  }, [reload]);

  return { conversations, error, reload, setConversations };
}
