import type { SqlDatabase } from '../db/sql-database.js';
import type { AlertKind, Priority, ReceiptState } from '../../common/alerts.js';
import type { AuditAlert, AuditEntry, AuditQuery } from '../../common/audit.js';
import { escalationOutcome } from './escalation-outcome.js';
import { receiptCountsSql } from './receipt-counts-sql.js';

interface AuditRow {
  id: number;
  kind: AlertKind;
  priority: Priority;
  created_at: string;
  sender: string | null;
  summary: string;
  recipients: number;
  delivered: number;
  shown: number;
  held: number;
  read: number;
  acknowledged_at: string | null;
  acknowledged_by_name: string | null;
  escalated_at: string | null;
  escalation_outcome: string | null;
}

export interface ExportRow {
  alertId: number;
  kind: AlertKind;
  priority: Priority;
  sentAt: string;
  sender: string | null;
  summary: string;
  recipient: string;
  viaRole: string | null;
  desk: string | null;
  state: ReceiptState | 'not_delivered' | 'escalated';
  reason: string | null;
  at: string | null;
}

type Filter = Omit<AuditQuery, 'before' | 'limit'>;

const SUMMARY_LENGTH = 200;

/** The filter as SQL over `alerts a`, with its named parameters. */
function where(filter: Filter, before?: number): { sql: string; params: Record<string, string | number> } {
  const clauses: string[] = [];
  const params: Record<string, string | number> = {};
  if (filter.kind) {
    clauses.push('a.kind = :kind');
    params.kind = filter.kind;
  }
  if (filter.priority) {
    clauses.push('a.priority = :priority');
    params.priority = filter.priority;
  }
  if (filter.from) {
    clauses.push('a.created_at >= :from');
    params.from = `${filter.from}T00:00:00.000Z`;
  }
  if (filter.to) {
    // Inclusive of the whole day: before the next one.
    clauses.push('a.created_at < :to');
    params.to = new Date(Date.parse(`${filter.to}T00:00:00.000Z`) + 86_400_000).toISOString();
  }
  if (filter.userId !== undefined) {
    clauses.push('(a.sender_id = :user OR EXISTS (SELECT 1 FROM alert_recipients r WHERE r.alert_id = a.id AND r.user_id = :user))');
    params.user = filter.userId;
  }
  if (filter.q) {
    // lower(): SQLite's LIKE ignores the case of ASCII letters, PostgreSQL's does not.
    clauses.push("lower(a.summary) LIKE lower(:q) ESCAPE '\\'");
    params.q = `%${filter.q.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
  }
  if (filter.unacknowledged) clauses.push('a.acknowledged_at IS NULL');
  if (before !== undefined) {
    clauses.push('a.id < :before');
    params.before = before;
  }
  return { sql: clauses.length === 0 ? '' : `WHERE ${clauses.join(' AND ')}`, params };
}

/**
 * The delivery audit, read from the alerts and receipts SQLite keeps for the retention period:
 * for any message, reminder, notice or escalation, who it was for, on which desks it was
 * shown or held and why, who read and acknowledged it and when.
 */
export class AuditStore {
  constructor(private readonly db: SqlDatabase) {}

  list(query: AuditQuery): { alerts: AuditAlert[]; hasMore: boolean } {
    const { sql, params } = where(query, query.before);
    const rows = this.db
      .prepare<Record<string, string | number>, AuditRow>(
        `SELECT a.id, a.kind, a.priority, a.created_at, s.display_name AS sender, substr(a.summary, 1, ${SUMMARY_LENGTH}) AS summary,
                (SELECT count(*) FROM alert_recipients WHERE alert_id = a.id) AS recipients,
                ${receiptCountsSql('a.id')},
                a.acknowledged_at, k.display_name AS acknowledged_by_name, a.escalated_at, a.escalation_outcome
           FROM alerts a
           LEFT JOIN users s ON s.id = a.sender_id
           LEFT JOIN users k ON k.id = a.acknowledged_by
           ${sql}
          ORDER BY a.id DESC LIMIT :limit`,
      )
      .all({ ...params, limit: query.limit + 1 });
    const hasMore = rows.length > query.limit;
    return { alerts: rows.slice(0, query.limit).map(toAuditAlert), hasMore };
  }

  /** The alert's text and sender, for its detail page. */
  header(alertId: number): { sender: string | null; summary: string } | null {
    return (
      this.db
        .prepare<[number], { sender: string | null; summary: string }>(
          'SELECT s.display_name AS sender, a.summary FROM alerts a LEFT JOIN users s ON s.id = a.sender_id WHERE a.id = ?',
        )
        .get(alertId) ?? null
    );
  }

  /** Every fact recorded about one alert, oldest first. */
  log(alertId: number): AuditEntry[] {
    return this.db
      .prepare<[number], { at: string; user_id: number; display_name: string; desk_name: string | null; desk: number; state: ReceiptState; reason: string | null }>(
        `SELECT rc.at, rc.user_id, u.display_name, d.name AS desk_name, rc.desk, rc.state, rc.reason
           FROM alert_receipt_facts rc JOIN users u ON u.id = rc.user_id LEFT JOIN desks d ON d.number = rc.desk
          WHERE rc.alert_id = ? ORDER BY rc.fact_order, rc.user_id, rc.desk`,
      )
      .all(alertId)
      .map((row) => ({
        at: row.at,
        userId: row.user_id,
        displayName: row.display_name,
        deskName: row.desk === 0 ? null : (row.desk_name ?? 'Unnamed desk'),
        state: row.state,
        reason: row.reason,
      }));
  }

  /**
   * The rows of a CSV export, up to `maxRows`: one per recorded fact, one per recipient nothing
   * was recorded for, and one per escalation. Null when the filter matches more than that.
   */
  exportRows(filter: Filter, maxRows: number): ExportRow[] | null {
    const { sql, params } = where(filter);
    const alertSql = `SELECT a.id FROM alerts a ${sql}`;
    const rows = this.db
      .prepare<Record<string, string | number>, Omit<ExportRow, 'sentAt' | 'alertId' | 'viaRole'> & { alert_id: number; sent_at: string; via_role: string | null }>(
        `SELECT * FROM (
           SELECT a.id AS alert_id, a.kind, a.priority, a.created_at AS sent_at, s.display_name AS sender, a.summary,
                  u.display_name AS recipient, r.via_role, CASE WHEN rc.desk = 0 THEN NULL ELSE coalesce(d.name, 'Unnamed desk') END AS desk,
                  rc.state, rc.reason, rc.at, rc.fact_order AS ord
             FROM alerts a JOIN alert_receipt_facts rc ON rc.alert_id = a.id
             JOIN users u ON u.id = rc.user_id
             LEFT JOIN alert_recipients r ON r.alert_id = a.id AND r.user_id = rc.user_id
             LEFT JOIN desks d ON d.number = rc.desk
             LEFT JOIN users s ON s.id = a.sender_id
            WHERE a.id IN (${alertSql})
           UNION ALL
           SELECT a.id, a.kind, a.priority, a.created_at, s.display_name, a.summary, u.display_name, r.via_role, NULL,
                  'not_delivered', NULL, NULL, 0
             FROM alerts a JOIN alert_recipients r ON r.alert_id = a.id JOIN users u ON u.id = r.user_id
             LEFT JOIN users s ON s.id = a.sender_id
            WHERE a.id IN (${alertSql})
              AND NOT EXISTS (SELECT 1 FROM desk_receipts x WHERE x.alert_id = a.id AND x.user_id = r.user_id)
           UNION ALL
           SELECT a.id, a.kind, a.priority, a.created_at, s.display_name, a.summary, a.escalation_outcome, NULL, NULL,
                  'escalated', NULL, a.escalated_at, 9007199254740991
             FROM alerts a LEFT JOIN users s ON s.id = a.sender_id
            WHERE a.id IN (${alertSql}) AND a.escalated_at IS NOT NULL
         ) AS facts ORDER BY alert_id DESC, ord LIMIT :limit`,
      )
      .all({ ...params, limit: maxRows + 1 });
    if (rows.length > maxRows) return null;
    return rows.map((row) => {
      const outcome = row.state === 'escalated' ? escalationOutcome(row.recipient) : null;
      return {
        alertId: row.alert_id,
        kind: row.kind,
        priority: row.priority,
        sentAt: row.sent_at,
        sender: row.sender,
        summary: row.summary,
        recipient: outcome ? `${outcome.target}: ${outcome.recipients.join(', ') || 'nobody'}` : row.recipient,
        viaRole: row.via_role,
        desk: row.desk,
        state: row.state,
        reason: outcome ? outcome.failure : row.reason,
        at: row.at,
      };
    });
  }
}

function toAuditAlert(row: AuditRow): AuditAlert {
  const outcome = escalationOutcome(row.escalation_outcome);
  return {
    alertId: row.id,
    kind: row.kind,
    priority: row.priority,
    createdAt: row.created_at,
    sender: row.sender,
    summary: row.summary,
    counts: { recipients: row.recipients, delivered: row.delivered, shown: row.shown, held: row.held, read: row.read },
    acknowledged: row.acknowledged_at === null ? null : { at: row.acknowledged_at, by: row.acknowledged_by_name ?? '' },
    escalated: row.escalated_at === null || !outcome ? null : { at: row.escalated_at, target: outcome.target },
  };
}
