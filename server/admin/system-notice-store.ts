import type { Database } from 'better-sqlite3';
import type { Role, SystemNotice } from '../../common/api.js';

interface NoticeRow {
  id: number;
  content: string;
  audience: SystemNotice['audience'];
  role: Role | null;
  user_ids: string | null;
  recipients: number;
  sent_by: number;
  sender_name: string;
  sent_at: string;
}

export interface SentNotice {
  content: string;
  role?: Role | undefined;
  userIds?: readonly number[] | undefined;
  recipients: number;
  sentBy: number;
}

/** The history of system notices admins sent, for the admin console. */
export class SystemNoticeStore {
  constructor(private readonly db: Database) {}

  record(notice: SentNotice): number {
    const audience: SystemNotice['audience'] = notice.userIds
      ? 'people'
      : notice.role
        ? 'role'
        : 'everyone';
    return Number(
      this.db
        .prepare<[string, string, string | null, string | null, number, number]>(
          'INSERT INTO system_notices (content, audience, role, user_ids, recipients, sent_by) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(
          notice.content,
          audience,
          notice.role ?? null,
          notice.userIds ? JSON.stringify(notice.userIds) : null,
          notice.recipients,
          notice.sentBy,
        ).lastInsertRowid,
    );
  }

  /** The newest `limit` notices, newest first. */
  latest(limit: number): SystemNotice[] {
    return this.db
      .prepare<[number], NoticeRow>(
        `SELECT n.*, u.display_name AS sender_name FROM system_notices n JOIN users u ON u.id = n.sent_by
          ORDER BY n.id DESC LIMIT ?`,
      )
      .all(limit)
      .map((row) => ({
        id: row.id,
        content: row.content,
        audience: row.audience,
        role: row.role,
        userIds: row.user_ids === null ? null : (JSON.parse(row.user_ids) as number[]),
        recipients: row.recipients,
        sentBy: { id: row.sent_by, displayName: row.sender_name },
        sentAt: row.sent_at,
      }));
  }
}
