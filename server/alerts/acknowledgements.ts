import type { SqlDatabase, SqlStatement } from '../db/sql-database.js';
import { whenLockFree } from '../db/when-lock-free.js';
import type { User } from '../../common/api.js';
import type { AlertAcknowledgedPayload } from '../../common/events.js';
import { rowDedupeKey } from '../events/row-dedupe-key.js';
import { OutboxStore } from '../outbox/outbox-store.js';

interface AlertParties {
  sender_id: number | null;
  conversation_id: number | null;
  message_id: number | null;
  appointment_id: number | null;
  created_at: string;
}

export interface Acknowledged {
  /** This call was the alert's first acknowledgement, which stops it everywhere. */
  first: boolean;
  /** Alerts that gained a fact (their senders get a status update). */
  alertIds: number[];
}

/** The dedupe key of one alert's `alert_acknowledged` to one person. */
const acknowledgedDedupeKey = (alertId: number, createdAt: string, userId: number) => rowDedupeKey('alert-ack', alertId, createdAt, userId);

/**
 * "Acknowledge" on any desk of any recipient. The first acknowledgement is the alert's: it is
 * recorded with who and where, and `alert_acknowledged` goes to every recipient and to the
 * sender through the outbox in the same transaction, so every desk stops alerting even if this
 * process dies right after. Acknowledging again (another desk, another recipient) is recorded as
 * that person's receipt and changes nothing else.
 */
export class Acknowledgements {
  private readonly outbox: OutboxStore;
  private readonly isRecipient: SqlStatement<[number, number]>;
  private readonly claimFirst: SqlStatement<[string, number, string | null, number]>;
  private readonly deskNumber: SqlStatement<[string], number>;
  private readonly addDesk: SqlStatement<[string, string], number>;
  private readonly insertReceipt: SqlStatement<[number, number, number, number]>;
  private readonly bumpVersion: SqlStatement<[number]>;
  private readonly parties: SqlStatement<[number], AlertParties>;
  private readonly recipients: SqlStatement<[number], number>;
  private readonly linked: SqlStatement<{ id: number }, number>;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
    this.isRecipient = db.prepare('SELECT 1 FROM alert_recipients WHERE alert_id = ? AND user_id = ?');
    this.claimFirst = db.prepare(
      `UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ?, acknowledged_desk_id = ?, escalation_due_at = NULL,
                        version = version + 1
        WHERE id = ? AND acknowledged_at IS NULL`,
    );
    this.deskNumber = db.prepare<[string], number>('SELECT number FROM desks WHERE id = ?').pluck();
    // A desk that has reported nothing yet is named by its first report.
    this.addDesk = db.prepare<[string, string], number>('INSERT INTO desks (id, last_seen_at) VALUES (?, ?) RETURNING number').pluck();
    this.insertReceipt = db.prepare(
      `INSERT INTO desk_receipts (alert_id, user_id, desk, acknowledged_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (alert_id, user_id, desk) DO UPDATE SET acknowledged_at = excluded.acknowledged_at
       WHERE desk_receipts.acknowledged_at IS NULL`,
    );
    this.bumpVersion = db.prepare('UPDATE alerts SET version = version + 1 WHERE id = ?');
    this.parties = db.prepare('SELECT sender_id, conversation_id, message_id, appointment_id, created_at FROM alerts WHERE id = ?');
    this.recipients = db.prepare<[number], number>('SELECT user_id FROM alert_recipients WHERE alert_id = ?').pluck();
    this.linked = db
      .prepare<{ id: number }, number>(
        `SELECT escalated_from FROM alerts WHERE id = :id AND escalated_from IS NOT NULL
         UNION SELECT id FROM alerts WHERE escalated_from = :id`,
      )
      .pluck();
  }

  /**
   * Null when the alert is not addressed to `user` (or does not exist). While another process
   * holds the write lock it waits on a timer, not with the event loop stopped.
   */
  acknowledge(alertId: number, user: User, deskId: string | null): Promise<Acknowledged | null> {
    const run = this.db.transaction((): Acknowledged | null => {
      if (this.isRecipient.get(alertId, user.id) === undefined) return null;
      const at = new Date().toISOString();
      const first = this.claimFirst.run(at, user.id, deskId, alertId).changes > 0;
      const desk = deskId === null ? 0 : (this.deskNumber.get(deskId) ?? (this.addDesk.get(deskId, at) as number));
      const newReceipt = this.insertReceipt.run(alertId, user.id, desk, Date.parse(at)).changes > 0;
      if (!first && newReceipt) this.bumpVersion.run(alertId);
      const touched = first || newReceipt ? [alertId] : [];
      if (first) {
        this.announce(alertId, user, at);
        // An escalation and its original are one emergency: acknowledging either stops both.
        for (const linked of this.linked.all({ id: alertId })) {
          if (this.claimFirst.run(at, user.id, deskId, linked).changes === 0) continue;
          this.announce(linked, user, at);
          touched.push(linked);
        }
      }
      return { first, alertIds: touched };
    });
    return whenLockFree(run);
  }

  private announce(alertId: number, by: User, at: string): void {
    const parties = this.parties.get(alertId);
    if (!parties) return;
    const payload: AlertAcknowledgedPayload = {
      type: 'alert_acknowledged',
      alert_id: String(alertId),
      ...(parties.conversation_id === null ? {} : { conversation_id: String(parties.conversation_id) }),
      ...(parties.message_id === null ? {} : { message_id: String(parties.message_id) }),
      ...(parties.appointment_id === null ? {} : { appointmentId: String(parties.appointment_id) }),
      by: by.displayName,
      by_id: String(by.id),
      timestamp: at,
    };
    const everyone = new Set(this.recipients.all(alertId));
    if (parties.sender_id !== null) everyone.add(parties.sender_id);
    for (const userId of everyone) this.outbox.enqueue(userId, payload, acknowledgedDedupeKey(alertId, parties.created_at, userId));
  }
}
