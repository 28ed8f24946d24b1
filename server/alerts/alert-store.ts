import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import type { AlertKind, Priority } from '../../common/alerts.js';
import type { EscalationSnapshot } from './escalation-snapshot.js';

export interface AlertRecipient {
  userId: number;
  /** The role the person was reached through as its on-duty member. */
  viaRole?: string | null;
}

export interface NewAlert {
  kind: AlertKind;
  priority: Priority;
  /** Who hears of the receipts: the message's sender, the appointment's creator, the admin. */
  senderId: number | null;
  conversationId?: number | null;
  messageId?: number | null;
  appointmentId?: number | null;
  noticeId?: number | null;
  /** What the audit lists it as: the message text, the reminder's content, the notice. */
  summary: string;
  createdAt: string;
  recipients: readonly AlertRecipient[];
  /** An urgent alert's repeats and escalation; its first step falls due one interval after `createdAt`. */
  escalation?: EscalationSnapshot | null;
  /** For an escalation: the alert nobody acknowledged. */
  escalatedFrom?: number | null;
}

/**
 * Alerts and who they are for. Creating one must happen inside the transaction that creates
 * what it is about, so a message never exists without its alert (and its receipts' target).
 */
export class AlertStore {
  private readonly insertAlert: SqlStatement<
    [string, Priority, number | null, number | null, number | null, number | null, number | null, string, string, string | null, number | null, number | null]
  >;
  private readonly insertRecipients: SqlStatement<[number, string | null, string]>;
  private readonly byAppointment: SqlStatement<[number], number>;
  private readonly addressedTo: SqlStatement<[number, string], number>;

  constructor(private readonly db: SqlDatabase) {
    this.insertAlert = db.prepare(
      `INSERT INTO alerts (kind, priority, sender_id, conversation_id, message_id, appointment_id, notice_id, summary, created_at,
                           escalation_snapshot, escalation_due_at, escalated_from)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
    ).pluck();
    // One statement for any number of recipients: a notice to the whole clinic is thousands.
    // (WHERE true: without it SQLite would read ON CONFLICT as a join's ON.)
    this.insertRecipients = db.prepare(
      `INSERT INTO alert_recipients (alert_id, user_id, via_role)
       SELECT CAST(? AS BIGINT), value, CAST(? AS TEXT) FROM json_each(?) WHERE true
       ON CONFLICT DO NOTHING`,
    );
    this.byAppointment = db.prepare<[number], number>('SELECT id FROM alerts WHERE appointment_id = ?').pluck();
    this.addressedTo = db
      .prepare<[number, string], number>(
        'SELECT alert_id FROM alert_recipients WHERE user_id = ? AND alert_id IN (SELECT value FROM json_each(?))',
      )
      .pluck();
  }

  /** Call inside the transaction that writes what the alert is about. */
  create(alert: NewAlert): number {
    const id = this.insertAlert.get(
        alert.kind,
        alert.priority,
        alert.senderId,
        alert.conversationId ?? null,
        alert.messageId ?? null,
        alert.appointmentId ?? null,
        alert.noticeId ?? null,
        alert.summary,
        alert.createdAt,
        alert.escalation ? JSON.stringify(alert.escalation) : null,
        alert.escalation ? Date.parse(alert.createdAt) + alert.escalation.intervalMs : null,
        alert.escalatedFrom ?? null,
    ) as number;
    const byRole = new Map<string | null, number[]>();
    for (const recipient of alert.recipients) {
      const role = recipient.viaRole ?? null;
      byRole.set(role, [...(byRole.get(role) ?? []), recipient.userId]);
    }
    for (const [role, userIds] of byRole) this.insertRecipients.run(id, role, JSON.stringify(userIds));
    return id;
  }

  /** The reminder alert of an appointment, created the first time it is asked for. */
  forReminder(appointment: { id: number; content: string; createdBy: number; remindUserIds: readonly number[] }, at: Date): number {
    const create = this.db.transaction((): number => {
      const existing = this.byAppointment.get(appointment.id);
      if (existing !== undefined) return existing;
      return this.create({
        kind: 'reminder',
        priority: 'urgent',
        senderId: appointment.createdBy,
        appointmentId: appointment.id,
        summary: appointment.content,
        createdAt: at.toISOString(),
        recipients: appointment.remindUserIds.map((userId) => ({ userId })),
      });
    });
    return create.immediate();
  }

  /** Which of `alertIds` are addressed to `userId`. */
  addressedToUser(userId: number, alertIds: readonly number[]): Set<number> {
    return new Set(this.addressedTo.all(userId, JSON.stringify([...new Set(alertIds)])));
  }
}
