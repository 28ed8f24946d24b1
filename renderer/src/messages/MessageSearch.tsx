import { useEffect, useId, useState } from 'react';
import type { SearchResult } from '../../../common/api.js';
import { describeError } from '../api/api-error.js';
import { useApi, useSession } from '../app/session-context.js';
import { formatWhen, machineTime } from '../lib/format.js';
import { routeHref } from '../routing/route.js';

/** Waits this long after the last key before asking the server. */
const TYPING_PAUSE_MS = 250;

/** A search box over the person's own messages; results open the message in its conversation. */
export function MessageSearchBox({
  query,
  onQueryChange,
}: {
  query: string;
  onQueryChange(query: string): void;
}) {
  const inputId = useId();
  return (
    <form role="search" className="message-search" onSubmit={(event) => event.preventDefault()}>
      <label className="visually-hidden" htmlFor={inputId}>
        Search messages
      </label>
      <input
        id={inputId}
        type="search"
        placeholder="Search messages"
        maxLength={200}
        value={query}
        onChange={(event) => onQueryChange(event.target.value)}
        onKeyDown={(event) => {
          if (event.key === 'Escape') onQueryChange('');
        }}
      />
    </form>
  );
}

export function MessageSearchResults({ query }: { query: string }) {
  const api = useApi();
  const { user } = useSession();
  const [results, setResults] = useState<{ query: string; found: SearchResult[] } | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const wanted = query.trim();
    let cancelled = false;
    const timer = setTimeout(() => {
      api.search(wanted).then(
        (answer) => {
          if (cancelled) return;
          setResults({ query: wanted, found: answer.results });
          setError(null);
        },
        (failure: unknown) => {
          if (!cancelled) setError(describeError(failure));
        },
      );
    }, TYPING_PAUSE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, query]);

  return (
    <section className="search-results" aria-label="Search results" aria-busy={results === null}>
      {error && (
        <p className="form-error" role="alert">
          {error}
        </p>
      )}
      {results === null && !error && <p className="empty muted">Searching…</p>}
      {results && (
        <p className="muted search-results__count" role="status">
          {results.found.length === 0
            ? `No message contains “${results.query}”.`
            : `${results.found.length} message${results.found.length === 1 ? '' : 's'} found.`}
        </p>
      )}
      <ul className="conversation-list">
        {(results?.found ?? []).map((result) => (
          <li key={result.message.id}>
            <a
              className="conversation"
              data-testid="search-result"
              href={routeHref({
                page: 'conversations',
                conversationId: result.conversationId,
                messageId: result.message.id,
              })}
            >
              <span className="conversation__top">
                <span className="conversation__title">{result.conversationName}</span>
                <time
                  className="conversation__time"
                  dateTime={machineTime(result.message.createdAt)}
                >
                  {formatWhen(result.message.createdAt)}
                </time>
              </span>
              <span className="search-result__text">
                {result.message.senderId === user.id ? 'You' : result.message.senderName}:{' '}
                {result.snippet.map((part, index) =>
                  part.match ? (
                    <mark key={index}>{part.text}</mark>
                  ) : (
                    <span key={index}>{part.text}</span>
                  ),
                )}
              </span>
            </a>
          </li>
        ))}
      </ul>
    </section>
  );
}
