import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { Role, SystemNotice } from '../../common/api.js';
import type { SystemNotificationPayload } from '../../common/events.js';
import { rowDedupeKey } from '../events/row-dedupe-key.js';

interface NoticeRow {
  id: number;
  content: string;
  audience: SystemNotice['audience'];
  role: Role | null;
  user_ids: string | null;
  recipient_ids: string;
  recipients: number;
  sent_by: number;
  created_at: string;
  sent_at: string | null;
  /** JSON array: the id each recipient's event got when first published, in `recipient_ids` order. */
  event_ids: string | null;
  /** The notice's alert (receipts, audit), where it has one. */
  alert_id?: number | null;
}

export interface SentNotice {
  id: number;
  payload: SystemNotificationPayload;
  /** Account ids in the order the notice was published to them. */
  recipients: number[];
  /** Once it went out: the id each recipient's event got then, in the order of `recipients`. */
  firstEventIds?: number[];
}

export interface NewNotice {
  content: string;
  /** The role it was addressed to, if any. */
  role?: Role | undefined;
  /** The people it was addressed to, if any. */
  userIds?: readonly number[] | undefined;
  /** Every account it goes to, in the order it is published to them. */
  recipients: readonly number[];
  sentBy: number;
}

/** The dedupe key of a notice's fan-out: publishing it again changes nothing Redis still holds. */
export const noticeDedupeKey = (notice: SentNotice): string => rowDedupeKey('notice', notice.id, notice.payload.timestamp);

function sentNotice(row: NoticeRow): SentNotice {
  return {
    id: row.id,
    payload: {
      type: 'system_notification',
      content: row.content,
      timestamp: row.created_at,
      ...(row.alert_id == null ? {} : { alert_id: String(row.alert_id) }),
    },
    recipients: JSON.parse(row.recipient_ids) as number[],
    ...(row.event_ids === null ? {} : { firstEventIds: JSON.parse(row.event_ids) as number[] }),
  };
}

/**
 * The admins' notices in SQLite: what was sent to whom, for the admin console's history and so
 * that a notice can be sent again after a Redis loss.
 */
export class NoticeStore {
  /** The statements of every notice sent, prepared once (the others are an admin's occasional reads). */
  private readonly insertNotice: SqlStatement<[string, string, Role | null, string | null, string, number, number, string], number>;
  private readonly setSent: SqlStatement<[string, string, number]>;

  constructor(private readonly db: SqlDatabase) {
    this.insertNotice = db
      .prepare<[string, string, Role | null, string | null, string, number, number, string], number>(
        `INSERT INTO system_notices (content, audience, role, user_ids, recipient_ids, recipients, sent_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
      )
      .pluck();
    this.setSent = db.prepare<[string, string, number]>(
      'UPDATE system_notices SET sent_at = ?, event_ids = coalesce(event_ids, ?) WHERE id = ?',
    );
  }

  /** Records a notice about to be published; its payload's timestamp is the creation time. */
  record(notice: NewNotice, now = new Date()): SentNotice {
    const audience: SystemNotice['audience'] = notice.userIds ? 'people' : notice.role ? 'role' : 'everyone';
    const id = this.insertNotice.get(
      notice.content,
      audience,
      notice.role ?? null,
      notice.userIds ? JSON.stringify(notice.userIds) : null,
      JSON.stringify(notice.recipients),
      notice.recipients.length,
      notice.sentBy,
      now.toISOString(),
    ) as number;
    return {
      id,
      payload: { type: 'system_notification', content: notice.content, timestamp: now.toISOString() },
      recipients: [...notice.recipients],
    };
  }

  /** `eventIds`: what the publish handed each recipient, in the order of its recipients; the first ones stay. */
  markSent(id: number, eventIds: readonly number[], at = new Date()): void {
    this.setSent.run(at.toISOString(), JSON.stringify(eventIds), id);
  }

  /**
   * Notices recorded but not yet known to be in Redis: a publish that failed part-way or timed
   * out (its script may still have run), or a process that died before marking one sent.
   */
  unsent(): SentNotice[] {
    return this.db
      .prepare<[], NoticeRow>(
        'SELECT n.*, (SELECT id FROM alerts WHERE notice_id = n.id) AS alert_id FROM system_notices n WHERE n.sent_at IS NULL ORDER BY n.id',
      )
      .all()
      .map(sentNotice);
  }

  sentSince(since: Date): SentNotice[] {
    return this.db
      .prepare<[string], NoticeRow>(
        'SELECT n.*, (SELECT id FROM alerts WHERE notice_id = n.id) AS alert_id FROM system_notices n WHERE n.sent_at >= ? ORDER BY n.id',
      )
      .all(since.toISOString())
      .map(sentNotice);
  }

  /** The newest `limit` notices that went out, newest first, for the admin console. */
  latest(limit: number): SystemNotice[] {
    return this.db
      .prepare<[number], NoticeRow & { sender_name: string; sent_at: string }>(
        `SELECT n.*, u.display_name AS sender_name FROM system_notices n JOIN users u ON u.id = n.sent_by
          WHERE n.sent_at IS NOT NULL ORDER BY n.id DESC LIMIT ?`,
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
