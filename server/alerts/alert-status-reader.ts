import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { Role } from '../../common/roles.js';
import { escalationOutcome } from './escalation-outcome.js';
import { parseSnapshot } from './escalation-snapshot.js';
import {
  MAX_LISTED_RECIPIENTS,
  type AlertKind,
  type AlertStatus,
  type DeskStatus,
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

interface ReceiptRow {
  user_id: number;
  desk_id: string;
  desk_name: string | null;
  state: 'delivered' | 'shown' | 'held' | 'read' | 'acknowledged';
  reason: string | null;
  at: string;
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
  private readonly receipts: SqlStatement<[number], ReceiptRow>;
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
      `SELECT (SELECT count(*) FROM alert_recipients WHERE alert_id = :id) AS recipients,
              (SELECT count(DISTINCT user_id) FROM alert_receipts WHERE alert_id = :id AND state = 'delivered') AS delivered,
              (SELECT count(DISTINCT user_id) FROM alert_receipts WHERE alert_id = :id AND state = 'shown') AS shown,
              (SELECT count(DISTINCT user_id) FROM alert_receipts h WHERE alert_id = :id AND state = 'held'
                  AND NOT EXISTS (SELECT 1 FROM alert_receipts s WHERE s.alert_id = h.alert_id AND s.user_id = h.user_id AND s.state = 'shown')) AS held,
              (SELECT count(DISTINCT user_id) FROM alert_receipts WHERE alert_id = :id AND state = 'read') AS read`,
    );
    this.recipients = db.prepare(
      `SELECT r.user_id, u.display_name, r.via_role FROM alert_recipients r JOIN users u ON u.id = r.user_id
        WHERE r.alert_id = ? ORDER BY u.display_name, u.id LIMIT ?`,
    );
    this.receipts = db.prepare(
      `SELECT rc.user_id, rc.desk_id, d.name AS desk_name, rc.state, rc.reason, rc.at
         FROM alert_receipts rc LEFT JOIN desks d ON d.id = rc.desk_id
        WHERE rc.alert_id = ? ORDER BY rc.id`,
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
    for (const receipt of this.receipts.all(alertId)) {
      const person = people.get(receipt.user_id);
      if (!person) continue;
      // Receipts come oldest first, so the first time of each state is the one that stays.
      if (receipt.state === 'read') person.readAt ??= receipt.at;
      else if (receipt.state === 'acknowledged') person.acknowledgedAt ??= receipt.at;
      else {
        if (receipt.state === 'delivered') person.deliveredAt ??= receipt.at;
        const desk = deskOf(person, receipt);
        if (receipt.state === 'delivered') desk.deliveredAt ??= receipt.at;
        else if (receipt.state === 'shown') {
          desk.shownAt ??= receipt.at;
          if (receipt.reason === 'over_do_not_disturb') desk.overDoNotDisturb = true;
        } else if (desk.heldAt === null) {
          desk.heldAt = receipt.at;
          desk.heldReason = receipt.reason as HoldReason;
        }
      }
    }
    return [...people.values()];
  }
}

function deskOf(person: RecipientStatus, receipt: ReceiptRow): DeskStatus {
  let desk = person.desks.find((candidate) => candidate.deskId === receipt.desk_id);
  if (!desk) {
    desk = {
      deskId: receipt.desk_id,
      deskName: receipt.desk_name ?? 'Unnamed desk',
      deliveredAt: null,
      shownAt: null,
      overDoNotDisturb: false,
      heldAt: null,
      heldReason: null,
    };
    person.desks.push(desk);
  }
  return desk;
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
