import type { SqlDatabase, SqlDialect } from '../db/sql-database.js';
import type { Role, SearchResult, SearchSnippetPart } from '../../common/api.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from '../conversations/conversation-store.js';
import { SearchIndexer } from './search-indexer.js';

interface ResultRow extends MessageRow {
  title: string | null;
  snippet: string;
}

/** Marks around each match in the snippet: control characters never typed in a message. */
const OPEN = '\u0002';
const CLOSE = '\u0003';

/**
 * The FTS5 query for what a person typed: each word as a quoted prefix, all of them required.
 * Quoting keeps FTS5 operators and punctuation in the text from being read as query syntax.
 */
export function ftsQuery(text: string): string | null {
  const words = searchWords(text);
  return words && words.map((word) => `"${word}"*`).join(' ');
}

/** The same for PostgreSQL's to_tsquery: each word a prefix (`:*`), all of them required (`&`). */
export function tsQuery(text: string): string | null {
  const words = searchWords(text);
  return words && words.map((word) => `${word}:*`).join(' & ');
}

/** Letters and digits only, so nothing typed is read as query syntax by either engine. */
function searchWords(text: string): string[] | null {
  const words = text.match(/[\p{L}\p{N}]+/gu);
  return words ? words.slice(0, 12) : null;
}

/**
 * The search in each engine's full-text index (schema.ts, migration 25): FTS5's snippet, or
 * PostgreSQL's ts_headline over the message, both with at most 16 words around the matches.
 */
const SEARCH: Record<SqlDialect, string> = {
  sqlite: `SELECT ${MESSAGE_COLUMNS}, c.title,
                  snippet(messages_fts, 0, '${OPEN}', '${CLOSE}', '…', 16) AS snippet
             FROM messages_fts
             JOIN messages m ON m.id = messages_fts.rowid
             JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = :user
             JOIN conversations c ON c.id = m.conversation_id
             JOIN users u ON u.id = m.sender_id
            WHERE messages_fts MATCH :query
            ORDER BY m.id DESC
            LIMIT :limit`,
  postgres: `SELECT ${MESSAGE_COLUMNS}, c.title,
                    ts_headline('simple', m.text, message_search_query(:query),
                                'StartSel=${OPEN}, StopSel=${CLOSE}, MaxWords=16, MinWords=8, MaxFragments=1, FragmentDelimiter=…') AS snippet
               FROM messages m
               JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = :user
               JOIN conversations c ON c.id = m.conversation_id
               JOIN users u ON u.id = m.sender_id
              WHERE message_search_text(m.text) @@ message_search_query(:query)
              ORDER BY m.id DESC
              LIMIT :limit`,
};

function snippetParts(snippet: string): SearchSnippetPart[] {
  const parts: SearchSnippetPart[] = [];
  for (const [index, piece] of snippet.split(OPEN).entries()) {
    if (index === 0) {
      if (piece) parts.push({ text: piece, match: false });
      continue;
    }
    const [match = '', rest = ''] = piece.split(CLOSE);
    if (match) parts.push({ text: match, match: true });
    if (rest) parts.push({ text: rest, match: false });
  }
  return parts;
}

/** Full-text search over the messages of one person's own conversations (SQLite FTS5 or PostgreSQL's). */
export class MessageSearch {
  /** SQLite's index follows the messages a little behind (search-indexer.ts); PostgreSQL's is in step. */
  private readonly indexer: SearchIndexer | null;

  constructor(private readonly db: SqlDatabase) {
    this.indexer = db.dialect === 'sqlite' ? new SearchIndexer(db) : null;
  }

  search(userId: number, text: string, limit: number): SearchResult[] {
    const query = this.db.dialect === 'postgres' ? tsQuery(text) : ftsQuery(text);
    if (query === null) return [];
    this.indexer?.catchUp();
    const rows = this.db
      .prepare<{ query: string; user: number; limit: number }, ResultRow>(SEARCH[this.db.dialect])
      .all({ query, user: userId, limit });
    const names = this.conversationNames(
      userId,
      rows.filter((row) => row.title === null).map((row) => row.conversation_id),
    );
    return rows.map((row) => ({
      message: toMessage(row),
      conversationId: row.conversation_id,
      conversationName: row.title ?? names.get(row.conversation_id) ?? 'Conversation',
      snippet: snippetParts(row.snippet),
    }));
  }

  /** An untitled conversation is named by the colleagues in it, as the list names it. */
  private conversationNames(userId: number, conversationIds: number[]): Map<number, string> {
    if (conversationIds.length === 0) return new Map();
    const rows = this.db
      .prepare<[string, number], { conversation_id: number; display_name: string; role: Role }>(
        `SELECT p.conversation_id, u.display_name, u.role FROM conversation_participants p
           JOIN users u ON u.id = p.user_id
          WHERE p.conversation_id IN (SELECT value FROM json_each(?)) AND p.user_id <> ?
          ORDER BY u.display_name`,
      )
      .all(JSON.stringify([...new Set(conversationIds)]), userId);
    const names = new Map<number, string[]>();
    for (const row of rows)
      names.set(row.conversation_id, [...(names.get(row.conversation_id) ?? []), row.display_name]);
    return new Map([...names].map(([id, list]) => [id, list.join(', ')]));
  }
}
