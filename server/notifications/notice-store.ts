import type { Database } from 'better-sqlite3';
import type { Role } from '../../common/api.js';
import type { SystemNotificationPayload } from '../../common/events.js';

interface NoticeRow {
  id: number;
  content: string;
  role: Role | null;
  named: 0 | 1;
  recipients: string;
  created_by: number;
  created_at: string;
  sent_at: string | null;
}

export interface SentNotice {
  id: number;
  payload: SystemNotificationPayload;
  /** Account ids in the order the notice was published to them. */
  recipients: number[];
}

export interface NewNotice {
  content: string;
  /** The role it was addressed to, if any; `named` when it went to chosen people. */
  role: Role | null;
  named: boolean;
  recipients: readonly number[];
  createdBy: number;
}

/** The dedupe key of a notice's fan-out: publishing it again changes nothing Redis still holds. */
export const noticeDedupeKey = (noticeId: number): string => `notice:${noticeId}`;

function sentNotice(row: NoticeRow): SentNotice {
  return {
    id: row.id,
    payload: { type: 'system_notification', content: row.content, timestamp: row.created_at },
    recipients: JSON.parse(row.recipients) as number[],
  };
}

/** The admins' notices in SQLite: what was sent to whom, so it can be sent again after a Redis loss. */
export class NoticeStore {
  constructor(private readonly db: Database) {}

  /** Records a notice about to be published; its payload's timestamp is the creation time. */
  record(notice: NewNotice, now = new Date()): SentNotice {
    const id = Number(
      this.db
        .prepare<[string, Role | null, number, string, number, string]>(
          'INSERT INTO system_notices (content, role, named, recipients, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(notice.content, notice.role, notice.named ? 1 : 0, JSON.stringify(notice.recipients), notice.createdBy, now.toISOString())
        .lastInsertRowid,
    );
    return {
      id,
      payload: { type: 'system_notification', content: notice.content, timestamp: now.toISOString() },
      recipients: [...notice.recipients],
    };
  }

  markSent(id: number, at = new Date()): void {
    this.db.prepare<[string, number]>('UPDATE system_notices SET sent_at = ? WHERE id = ?').run(at.toISOString(), id);
  }

  /** A notice that could not be published leaves no trace: the admin was told to try again. */
  forget(id: number): void {
    this.db.prepare<[number]>('DELETE FROM system_notices WHERE id = ? AND sent_at IS NULL').run(id);
  }

  sentSince(since: Date): SentNotice[] {
    return this.db
      .prepare<[string], NoticeRow>('SELECT * FROM system_notices WHERE sent_at >= ? ORDER BY id')
      .all(since.toISOString())
      .map(sentNotice);
  }
}
