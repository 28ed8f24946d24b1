import type { SqlDatabase } from '../db/sql-database.js';

/** Messages indexed per transaction: a few milliseconds of FTS5's work at most, merges included. */
const CHUNK_SIZE = 50;
/** How often a process looks for messages waiting to be indexed, its own or another's. */
const POLL_MS = 250;

/**
 * Brings SQLite's full-text index up to the messages (schema.ts, migration 68): a send only notes
 * its message in `messages_fts_pending`; this indexes what waits, CHUNK_SIZE messages per
 * transaction, in the background of every process and before every search, so a search always
 * sees every message sent before it. Each chunk takes what it indexes inside its own immediate
 * transaction, so two processes never index one message twice.
 */
export class SearchIndexer {
  private readonly anyWaiting;
  private readonly waiting;
  private readonly index;
  private readonly done;
  private readonly chunk;
  private timer: NodeJS.Timeout | null = null;
  private running = false;

  constructor(
    db: SqlDatabase,
    private readonly onError: (error: unknown) => void = () => undefined,
  ) {
    this.anyWaiting = db.prepare<[], number>('SELECT EXISTS (SELECT 1 FROM messages_fts_pending)').pluck();
    this.waiting = db.prepare<[number], number>('SELECT message_id FROM messages_fts_pending ORDER BY message_id LIMIT ?').pluck();
    this.index = db.prepare<[string]>(
      'INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages WHERE id IN (SELECT value FROM json_each(?))',
    );
    this.done = db.prepare<[string]>('DELETE FROM messages_fts_pending WHERE message_id IN (SELECT value FROM json_each(?))');
    this.chunk = db.transaction((): number => {
      const ids = this.waiting.all(CHUNK_SIZE);
      if (ids.length === 0) return 0;
      const list = JSON.stringify(ids);
      this.index.run(list);
      this.done.run(list);
      return ids.length;
    });
  }

  /** Indexes every message waiting now; throws what the database throws (a 503 for a search). */
  catchUp(): void {
    while (this.anyWaiting.get() === 1 && this.chunk.immediate() === CHUNK_SIZE);
  }

  start(): void {
    this.running = true;
    this.schedule(POLL_MS);
  }

  stop(): void {
    this.running = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(delayMs: number): void {
    if (!this.running) return;
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    let full = false;
    try {
      // A look first: most turns nothing waits, and then no write lock is taken. Held by another
      // process, the lock is not waited for (that would stop the event loop): the next poll tries.
      if (this.anyWaiting.get() === 1) full = this.chunk.ifLockFree() === CHUNK_SIZE;
    } catch (error) {
      this.onError(error);
    }
    // A full chunk means more may wait: the next one after the streams' I/O, not a poll later.
    this.schedule(full ? 0 : POLL_MS);
  }
}
