import { randomBytes } from 'node:crypto';
import type { SqlDatabase } from '../db/sql-database.js';
import type { NotificationsMarkedPayload } from '../../common/events.js';
import { OutboxStore } from '../outbox/outbox-store.js';

/**
 * Marks older than the event history are of no use (the inbox only holds what the stream
 * replays), so each user keeps at most this many, the newest event ids.
 */
const MARKS_KEPT_PER_USER = 2_000;

/** Notifications marked read or unread one by one, per user. */
export class NotificationMarkStore {
  private readonly outbox: OutboxStore;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
  }

  /**
   * Records the marks and, in the same transaction, `notifications_marked` for the user's
   * desks in the outbox, so every desk learns of a mark that was saved.
   */
  mark(userId: number, eventIds: readonly number[], read: boolean): void {
    const ids = [...new Set(eventIds)].sort((a, b) => a - b);
    const apply = this.db.transaction(() => {
      const upsert = this.db.prepare<[number, number, number, string]>(
        `INSERT INTO notification_marks (user_id, event_id, read, updated_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (user_id, event_id) DO UPDATE SET read = excluded.read, updated_at = excluded.updated_at`,
      );
      const now = new Date().toISOString();
      for (const id of ids) upsert.run(userId, id, Number(read), now);
      this.db
        .prepare<[number, number, number]>(
          `DELETE FROM notification_marks WHERE user_id = ? AND event_id NOT IN
             (SELECT event_id FROM notification_marks WHERE user_id = ? ORDER BY event_id DESC LIMIT ?)`,
        )
        .run(userId, userId, MARKS_KEPT_PER_USER);
      const payload: NotificationsMarkedPayload = {
        type: 'notifications_marked',
        event_ids: ids,
        read,
        timestamp: new Date().toISOString(),
      };
      // Each change is its own event: the same ids may be marked again, either way, later.
      this.outbox.enqueue(userId, payload, `marks:${userId}:${randomBytes(8).toString('hex')}`);
    });
    apply.immediate();
  }

  marksOf(userId: number): { eventId: number; read: boolean }[] {
    return this.db
      .prepare<[number], { event_id: number; read: 0 | 1 }>(
        'SELECT event_id, read FROM notification_marks WHERE user_id = ? ORDER BY event_id',
      )
      .all(userId)
      .map((row) => ({ eventId: row.event_id, read: row.read === 1 }));
  }
}
