import { byDialect, LOCK_BUSY, type SqlDatabase, type SqlDialect } from '../db/sql-database.js';
import { whenLockFree } from '../db/when-lock-free.js';
import { eventPayload, type EventPayload } from '../../common/events.js';

export interface OutboxRow {
  id: number;
  userId: number;
  payload: EventPayload;
  dedupeKey: string;
  attempts: number;
  /** For a row published before: the id its event got then (null for rows kept by older versions). */
  firstId?: number;
}

interface StoredRow {
  id: number;
  user_id: number;
  payload: string;
  dedupe_key: string;
  attempts: number;
  event_id?: number | null;
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
  private readonly keepSentMany;
  private readonly removeMany;
  private readonly sentSince;
  private readonly pruneSent;
  private readonly prune;
  private readonly sent;
  private readonly takeTurn;
  private readonly endTurn;

  private readonly dialect: SqlDialect;

  constructor(db: SqlDatabase) {
    this.dialect = db.dialect;
    // DO NOTHING: the dedupe key names the event, so writing it twice would announce it twice.
    this.insert = db.prepare<[number, string, string]>('INSERT INTO outbox (user_id, payload, dedupe_key) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
    this.oldest = db.prepare<[number, number], StoredRow>('SELECT * FROM outbox WHERE id > ? ORDER BY id LIMIT ?');
    this.remove = db.prepare<[number]>('DELETE FROM outbox WHERE id = ?');
    this.failed = db.prepare<[number]>('UPDATE outbox SET attempts = attempts + 1 WHERE id = ?');
    this.total = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
    this.sentSince = db.prepare<[string], StoredRow>('SELECT id, user_id, payload, dedupe_key, 0 AS attempts, event_id FROM outbox_sent WHERE sent_at >= ? ORDER BY id');
    this.pruneSent = db.prepare<[string]>('DELETE FROM outbox_sent WHERE sent_at < ?');
    // New ids, in publish order (outbox ids are never reused either: migration 65).
    // The rows with the ids their events got, from one JSON array of [outbox id, event id] pairs.
    const published = byDialect(db, {
      sqlite: "SELECT json_extract(value, '$[0]') AS id, json_extract(value, '$[1]') AS event_id FROM json_each(?)",
      postgres: 'SELECT CAST(value->>0 AS BIGINT) AS id, CAST(value->>1 AS BIGINT) AS event_id FROM json_array_elements(CAST(? AS JSON))',
    });
    this.keepSentMany = db.prepare<[string, string]>(
      `INSERT INTO outbox_sent (user_id, payload, dedupe_key, sent_at, event_id)
       SELECT o.user_id, o.payload, o.dedupe_key, ?, p.event_id FROM outbox o JOIN (${published}) p ON p.id = o.id ORDER BY o.id`,
    );
    this.removeMany = db.prepare<[string]>('DELETE FROM outbox WHERE id IN (SELECT value FROM json_each(?))');
    this.takeTurn = db.dialect === 'postgres' ? db.prepare<[number], number>('SELECT pg_try_advisory_lock(CAST(? AS BIGINT))').pluck() : null;
    this.endTurn = db.dialect === 'postgres' ? db.prepare<[number]>('SELECT pg_advisory_unlock(CAST(? AS BIGINT))') : null;
    // One transaction for all the rows of one publish: a commit per row was a third of the relay's CPU.
    this.prune = db.transaction((before: string) => this.pruneSent.run(before));
    this.sent = db.transaction((ids: string, pairs: string, at: string) => {
      this.keepSentMany.run(at, pairs);
      this.removeMany.run(ids);
    });
  }

  /**
   * Whether this process may drain the outbox now. On PostgreSQL the processes of every host
   * share one outbox, and one drains at a time (a session advisory lock, let go by endRelayTurn
   * or by the connection's end when the process dies): two draining at once would publish
   * one user's events out of order, and each row twice. A row lock (FOR UPDATE SKIP LOCKED)
   * cannot do it here, since a drain waits for Redis and no transaction stays open across
   * that on the process's one connection. SQLite's processes share one machine, and the dedupe
   * keys make their rare double publish a no-op.
   */
  takeRelayTurn(): boolean {
    return this.takeTurn ? this.takeTurn.get(RELAY_LOCK) === 1 : true;
  }

  endRelayTurn(): void {
    this.endTurn?.run(RELAY_LOCK);
  }

  enqueue(userId: number, payload: EventPayload, dedupeKey: string): void {
    this.insert.run(userId, JSON.stringify(eventPayload.parse(payload)), dedupeKey);
  }

  /** Rows after `afterId`, oldest first; a row whose payload no longer parses is reported as invalid. */
  batch(afterId: number, limit: number): PendingRow[] {
    return this.oldest.all(afterId, limit).map(readRow);
  }

  delete(id: number): void {
    this.remove.run(id);
  }

  /**
   * The rows were published, their events given `eventIds` (in the same order): they leave the
   * outbox and are kept among the recently sent.
   */
  async markSent(ids: readonly number[], eventIds: readonly number[], at = new Date()): Promise<void> {
    if (ids.length !== eventIds.length) throw new Error('one event id per row');
    if (ids.length === 0) return;
    const args = [JSON.stringify(ids), JSON.stringify(ids.map((id, i) => [id, eventIds[i]])), at.toISOString()] as const;
    // Every SQLite write takes the file's one write lock; on PostgreSQL only immediate
    // transactions take the lock that stands for it, and this one need not.
    if (this.dialect === 'sqlite') await whenLockFree(this.sent, ...args);
    else this.sent(...args);
  }

  /** Rows published at or after `since`, oldest first. */
  sentAfter(since: Date): PendingRow[] {
    return this.sentSince.all(since.toISOString()).map(readRow);
  }

  /**
   * Forgets rows published before `before`; false when another process held the write lock and
   * nothing was done (housekeeping, never worth stopping the event loop for: the next one does it).
   */
  forgetSentBefore(before: Date): boolean {
    if (this.dialect === 'sqlite') return this.prune.ifLockFree(before.toISOString()) !== LOCK_BUSY;
    this.prune(before.toISOString());
    return true;
  }

  recordFailure(id: number): void {
    this.failed.run(id);
  }

  count(): number {
    return (this.total.get() as { n: number }).n;
  }
}

/** Any number, the same in every process sharing the database. */
const RELAY_LOCK = 0x6f75_7462_6f78;

function readRow(row: StoredRow): PendingRow {
  let parsed;
  try {
    parsed = eventPayload.safeParse(JSON.parse(row.payload));
  } catch (error) {
    return { id: row.id, invalid: (error as Error).message };
  }
  if (!parsed.success) return { id: row.id, invalid: parsed.error.message };
  const outboxRow: OutboxRow = { id: row.id, userId: row.user_id, payload: parsed.data, dedupeKey: row.dedupe_key, attempts: row.attempts };
  if (row.event_id != null) outboxRow.firstId = Number(row.event_id);
  return outboxRow;
}
