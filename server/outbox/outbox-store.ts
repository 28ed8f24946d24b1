import type { Database } from 'better-sqlite3';
import { eventPayload, type EventPayload } from '../../common/events.js';

export interface OutboxRow {
  id: number;
  userId: number;
  payload: EventPayload;
  dedupeKey: string;
  attempts: number;
}

interface StoredRow {
  id: number;
  user_id: number;
  payload: string;
  dedupe_key: string;
  attempts: number;
}

export type PendingRow = OutboxRow | { id: number; invalid: string };

/**
 * The outbox table: events written in the same SQLite transaction as the change they announce,
 * waiting for the relay to publish them. `enqueue` must be called inside that transaction.
 */
export class OutboxStore {
  private readonly insert;
  private readonly oldest;
  private readonly remove;
  private readonly failed;
  private readonly total;

  constructor(db: Database) {
    // OR IGNORE: the dedupe key names the event, so writing it twice would announce it twice.
    this.insert = db.prepare<[number, string, string]>('INSERT OR IGNORE INTO outbox (user_id, payload, dedupe_key) VALUES (?, ?, ?)');
    this.oldest = db.prepare<[number, number], StoredRow>('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?');
    this.remove = db.prepare<[number]>('DELETE FROM outbox WHERE id = ?');
    this.failed = db.prepare<[number]>('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
    this.total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
  }

  enqueue(userId: number, payload: EventPayload, dedupeKey: string): void {
    this.insert.run(userId, JSON.stringify(eventPayload.parse(payload)), dedupeKey);
  }

  /** Rows after `afterId`, oldest first; a row whose payload no longer parses is reported as invalid. */
  batch(afterId: number, limit: number): PendingRow[] {
    return this.oldest.all(afterId, limit).map((row) => {
      let parsed;
      try {
        parsed = eventPayload.safeParse(JSON.parse(row.payload));
      } catch (error) {
        return { id: row.id, invalid: (error as Error).message };
      }
      if (!parsed.success) return { id: row.id, invalid: parsed.error.message };
      return { id: row.id, userId: row.user_id, payload: parsed.data, dedupeKey: row.dedupe_key, attempts: row.attempts };
    });
  }

  delete(id: number): void {
    this.remove.run(id);
  }

  recordFailure(id: number): void {
    this.failed.run(id);
  }

  count(): number {
    return (this.total.get() as { n: number }).n;
  }
}
