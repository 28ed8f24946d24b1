import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';

/**
 * `read` receipts follow a person's read position in a conversation: when it moves past a
 * message, that message's alert is read by them. Recorded by the server in the transaction that
 * moves the position, once per alert and person (desk '' — reading is the person's, not a desk's).
 */
export class ReadReceipts {
  private readonly unread: SqlStatement<{ conversation: number; user: number; from: number; to: number }, number>;
  private readonly insert: SqlStatement<[number, number, string]>;
  private readonly bumpVersion: SqlStatement<[number]>;

  constructor(db: SqlDatabase) {
    this.unread = db
      .prepare<{ conversation: number; user: number; from: number; to: number }, number>(
        `SELECT a.id FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = :user
          WHERE a.conversation_id = :conversation AND a.message_id > :from AND a.message_id <= :to
            AND NOT EXISTS (SELECT 1 FROM alert_receipts rc
                             WHERE rc.alert_id = a.id AND rc.user_id = :user AND rc.desk_id = '' AND rc.state = 'read')`,
      )
      .pluck();
    this.insert = db.prepare(
      `INSERT INTO alert_receipts (alert_id, user_id, desk_id, state, at) VALUES (?, ?, '', 'read', ?) ON CONFLICT DO NOTHING`,
    );
    this.bumpVersion = db.prepare('UPDATE alerts SET version = version + 1 WHERE id = ?');
  }

  /** Call inside the transaction that moved the position; returns the alerts that became read. */
  record(conversationId: number, userId: number, fromMessageId: number, toMessageId: number, at: string): number[] {
    const ids = this.unread.all({ conversation: conversationId, user: userId, from: fromMessageId, to: toMessageId });
    for (const id of ids) {
      this.insert.run(id, userId, at);
      this.bumpVersion.run(id);
    }
    return ids;
  }
}
