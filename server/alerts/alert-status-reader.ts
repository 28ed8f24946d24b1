import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { Role } from '../../common/roles.js';
import { escalationOutcome } from './escalation-outcome.js';
import { parseSnapshot } from './escalation-snapshot.js';
import { receiptCountsSql } from './receipt-counts-sql.js';
import {
  MAX_LISTED_RECIPIENTS,
  type AlertKind,
  type AlertStatus,
  type HoldReason,
  type Priority,
  type RecipientStatus,
} from '../../common/alerts.js';

interface AlertRow {
  id: number;
  kind: AlertKind;
  priority: Priority;
  sender_id: number | null;
  conversation_id: number | null;
  message_id: number | null;
  created_at: string;
  version: number;
  acknowledged_at: string | null;
  acknowledged_by: number | null;
  ack_name: string | null;
  ack_desk: string | null;
  escalation_snapshot: string | null;
  escalation_step: number;
  escalation_due_at: number | null;
  escalated_at: string | null;
  escalation_outcome: string | null;
  escalated_from: number | null;
}

interface CountsRow {
  recipients: number;
  delivered: number;
  shown: number;
  held: number;
  read: number;
}

interface RecipientRow {
  user_id: number;
  display_name: string;
  via_role: Role | null;
}

/** One desk's states of the alert (epoch ms); desk 0 holds the person's own (read, an acknowledgement from no desk). */
interface DeskReceiptRow {
  user_id: number;
  desk: number;
  desk_id: string | null;
  desk_name: string | null;
  delivered_at: number | null;
  shown_at: number | null;
  shown_over_dnd: number;
  held_at: number | null;
  held_reason: HoldReason | null;
  read_at: number | null;
  acknowledged_at: number | null;
}

/** Who is asking decides how much they see. */
export type StatusDetail = 'recipients' | 'summary';

export interface AlertParties {
  senderId: number | null;
  conversationId: number | null;
}

/**
 * An alert's status as its sender sees it: per recipient, per desk, each state with its first
 * time. Built from SQLite each time it is asked for, so a status is never staler than the
 * database, and live events and REST answers agree.
 */
export class AlertStatusReader {
  private readonly alert: SqlStatement<[number], AlertRow>;
  private readonly counts: SqlStatement<{ id: number }, CountsRow>;
  private readonly recipients: SqlStatement<[number, number], RecipientRow>;
  private readonly receipts: SqlStatement<[number], DeskReceiptRow>;
  private readonly inConversation: SqlStatement<[number, number], number>;
  private readonly recipient: SqlStatement<[number, number]>;

  constructor(db: SqlDatabase) {
    this.alert = db.prepare(
      `SELECT a.id, a.kind, a.priority, a.sender_id, a.conversation_id, a.message_id, a.created_at, a.version,
              a.acknowledged_at, a.acknowledged_by, u.display_name AS ack_name, d.name AS ack_desk,
              a.escalation_snapshot, a.escalation_step, a.escalation_due_at, a.escalated_at, a.escalation_outcome, a.escalated_from
         FROM alerts a
         LEFT JOIN users u ON u.id = a.acknowledged_by
         LEFT JOIN desks d ON d.id = a.acknowledged_desk_id
        WHERE a.id = ?`,
    );
    this.counts = db.prepare(
      `SELECT (SELECT count(*) FROM alert_recipients WHERE alert_id = :id) AS recipients, ${receiptCountsSql(':id')}`,
    );
    this.recipients = db.prepare(
      `SELECT r.user_id, u.display_name, r.via_role FROM alert_recipients r JOIN users u ON u.id = r.user_id
        WHERE r.alert_id = ? ORDER BY u.display_name, u.id LIMIT ?`,
    );
    this.receipts = db.prepare(
      `SELECT rc.user_id, rc.desk, d.id AS desk_id, d.name AS desk_name, rc.delivered_at, rc.shown_at, rc.shown_over_dnd,
              rc.held_at, rc.held_reason, rc.read_at, rc.acknowledged_at
         FROM desk_receipts rc LEFT JOIN desks d ON d.number = rc.desk
        WHERE rc.alert_id = ?
        ORDER BY coalesce(rc.delivered_at, rc.shown_at, rc.held_at, rc.read_at, rc.acknowledged_at), rc.user_id, rc.desk`,
    );
    this.recipient = db.prepare('SELECT 1 FROM alert_recipients WHERE alert_id = ? AND user_id = ?');
    this.inConversation = db
      .prepare<[number, number], number>('SELECT id FROM alerts WHERE conversation_id = ? ORDER BY id DESC LIMIT ?')
      .pluck();
  }

  parties(alertId: number): AlertParties | null {
    const row = this.alert.get(alertId);
    return row ? { senderId: row.sender_id, conversationId: row.conversation_id } : null;
  }

  /**
   * `recipients`: every recipient with their desks (for the sender and admins), or, when there
   * are more than `listLimit`, the counts alone. `summary`: counts and acknowledgement only.
   */
  status(alertId: number, detail: StatusDetail, listLimit = MAX_LISTED_RECIPIENTS): AlertStatus | null {
    const row = this.alert.get(alertId);
    return row ? this.statusOf(row, detail, listLimit) : null;
  }

  /**
   * What the sender's thread shows of a message's alert, and who sent it (the live status
   * publisher's). Null for an alert of no message in a conversation, or of no sender (a notice,
   * a reminder): no thread shows those, and their receipts are the audit's.
   */
  threadStatus(alertId: number): { status: AlertStatus; senderId: number } | null {
    const row = this.alert.get(alertId);
    if (!row || row.sender_id === null || row.message_id === null) return null;
    return { status: this.statusOf(row, 'recipients', MAX_LISTED_RECIPIENTS), senderId: row.sender_id };
  }

  private statusOf(row: AlertRow, detail: StatusDetail, listLimit: number): AlertStatus {
    const counts = this.counts.get({ id: row.id }) as CountsRow;
    const listed = detail === 'recipients' && counts.recipients <= listLimit;
    return {
      alertId: row.id,
      kind: row.kind,
      priority: row.priority,
      conversationId: row.conversation_id,
      messageId: row.message_id,
      createdAt: row.created_at,
      version: row.version,
      acknowledged:
        row.acknowledged_at !== null && row.acknowledged_by !== null
          ? { at: row.acknowledged_at, userId: row.acknowledged_by, displayName: row.ack_name ?? '', deskName: row.ack_desk }
          : null,
      counts,
      ...escalationOf(row),
      recipients: listed ? this.recipientStatuses(row.id, listLimit) : [],
    };
  }

  isRecipient(alertId: number, userId: number): boolean {
    return this.recipient.get(alertId, userId) !== undefined;
  }

  /** The newest alerts of a conversation, newest first. */
  alertIdsInConversation(conversationId: number, limit: number): number[] {
    return this.inConversation.all(conversationId, limit);
  }

  private recipientStatuses(alertId: number, limit: number): RecipientStatus[] {
    const people = new Map<number, RecipientStatus>();
    for (const row of this.recipients.all(alertId, limit)) {
      people.set(row.user_id, {
        userId: row.user_id,
        displayName: row.display_name,
        viaRole: row.via_role,
        deliveredAt: null,
        readAt: null,
        acknowledgedAt: null,
        desks: [],
      });
    }
    for (const row of this.receipts.all(alertId)) {
      const person = people.get(row.user_id);
      if (!person) continue;
      person.deliveredAt = earliest(person.deliveredAt, row.delivered_at);
      person.readAt = earliest(person.readAt, row.read_at);
      person.acknowledgedAt = earliest(person.acknowledgedAt, row.acknowledged_at);
      if (row.desk === 0 || (row.delivered_at === null && row.shown_at === null && row.held_at === null)) continue;
      person.desks.push({
        deskId: row.desk_id ?? '',
        deskName: row.desk_name ?? 'Unnamed desk',
        deliveredAt: isoOf(row.delivered_at),
        shownAt: isoOf(row.shown_at),
        overDoNotDisturb: row.shown_over_dnd === 1,
        heldAt: isoOf(row.held_at),
        heldReason: row.held_reason,
      });
    }
    return [...people.values()];
  }
}

const isoOf = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The earlier of an ISO time and an epoch-ms one, as ISO. */
function earliest(iso: string | null, ms: number | null): string | null {
  if (ms === null) return iso;
  return iso === null || ms < Date.parse(iso) ? new Date(ms).toISOString() : iso;
}

function escalationOf(row: AlertRow): Pick<AlertStatus, 'repeats' | 'nextStepAt' | 'escalation' | 'escalatedFrom'> {
  const snapshot = parseSnapshot(row.escalation_snapshot);
  const outcome = escalationOutcome(row.escalation_outcome);
  return {
    repeats: { sent: snapshot ? Math.min(row.escalation_step, snapshot.repeats) : 0, planned: snapshot?.repeats ?? 0 },
    nextStepAt: row.escalation_due_at === null ? null : new Date(row.escalation_due_at).toISOString(),
    escalation: row.escalated_at !== null && outcome ? { at: row.escalated_at, ...outcome } : null,
    escalatedFrom: row.escalated_from,
  };
}
