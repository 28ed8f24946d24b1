import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';

/**
 * `read` receipts follow a person's read position in a conversation: when it moves past a
 * message, that message's alert is read by them. Recorded by the server in the transaction that
 * moves the position, once per alert and person (desk 0 — reading is the person's, not a desk's).
 */
export class ReadReceipts {
  private readonly unread: SqlStatement<{ conversation: number; user: number; from: number; to: number }, number>;
  private readonly insert: SqlStatement<[number, number, number]>;
  private readonly bumpVersion: SqlStatement<[number]>;

  constructor(db: SqlDatabase) {
    this.unread = db
      .prepare<{ conversation: number; user: number; from: number; to: number }, number>(
        `SELECT a.id FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = :user
          WHERE a.conversation_id = :conversation AND a.message_id > :from AND a.message_id <= :to
            AND NOT EXISTS (SELECT 1 FROM desk_receipts rc
                             WHERE rc.alert_id = a.id AND rc.user_id = :user AND rc.desk = 0 AND rc.read_at IS NOT NULL)`,
      )
      .pluck();
    this.insert = db.prepare(
      `INSERT INTO desk_receipts (alert_id, user_id, desk, read_at) VALUES (?, ?, 0, ?)
       ON CONFLICT (alert_id, user_id, desk) DO UPDATE SET read_at = excluded.read_at WHERE desk_receipts.read_at IS NULL`,
    );
    this.bumpVersion = db.prepare('UPDATE alerts SET version = version + 1 WHERE id = ?');
  }

  /** Call inside the transaction that moved the position; returns the alerts that became read. */
  record(conversationId: number, userId: number, fromMessageId: number, toMessageId: number, at: string): number[] {
    const ids = this.unread.all({ conversation: conversationId, user: userId, from: fromMessageId, to: toMessageId });
    for (const id of ids) {
      this.insert.run(id, userId, Date.parse(at));
      this.bumpVersion.run(id);
    }
    return ids;
  }
}
