import type { SqlDatabase } from '../db/sql-database.js';
import type { Appointment } from '../../common/api.js';

interface AppointmentRow {
  id: number;
  time: string;
  content: string;
  reminder_lead_minutes: number;
  remind_at: string;
  reminder_sent_at: string | null;
  created_by: number;
  created_at: string;
  cancelled_at: string | null;
  /** JSON array of the reminded user ids. */
  remind_user_ids: string;
}

export interface NewAppointment {
  /** ISO 8601 in UTC. */
  time: string;
  content: string;
  remindUserIds: readonly number[];
  reminderLeadMinutes: number;
  createdBy: number;
}

export interface AppointmentChanges {
  /** ISO 8601 in UTC. */
  time?: string | undefined;
  content?: string | undefined;
  remindUserIds?: readonly number[] | undefined;
  reminderLeadMinutes?: number | undefined;
}

/** An appointment whose reminder goes out, with when it was written (its reminders' dedupe key). */
export interface ReminderOf extends Appointment {
  createdAt: string;
}

export interface DueReminder {
  id: number;
  /** When the reminder is due, in ms since the epoch (the sorted set's score). */
  remindAtMs: number;
}

const SELECT_APPOINTMENT = `
  SELECT a.*, (SELECT json_group_array(user_id) FROM (SELECT user_id FROM appointment_reminders
                WHERE appointment_id = a.id ORDER BY user_id) AS reminded) AS remind_user_ids
    FROM appointments a`;

function toAppointment(row: AppointmentRow): Appointment {
  return {
    id: row.id,
    time: row.time,
    content: row.content,
    remindUserIds: JSON.parse(row.remind_user_ids) as number[],
    reminderLeadMinutes: row.reminder_lead_minutes,
    remindAt: row.remind_at,
    createdBy: row.created_by,
    reminderSent: row.reminder_sent_at !== null,
    // Only on a cancelled one, so the answer for every other appointment keeps its shape.
    ...(row.cancelled_at === null ? {} : { cancelledAt: row.cancelled_at }),
  };
}

function toReminder(row: AppointmentRow): ReminderOf {
  return { ...toAppointment(row), createdAt: row.created_at };
}

/** Appointments and who to remind of them; SQLite is the truth the reminder queue is rebuilt from. */
export class AppointmentStore {
  constructor(private readonly db: SqlDatabase) {}

  create(appointment: NewAppointment): Appointment {
    const remindAt = new Date(Date.parse(appointment.time) - appointment.reminderLeadMinutes * 60_000).toISOString();
    const create = this.db.transaction((): number => {
      const id = this.db
        .prepare<[string, string, number, string, number], number>(
          'INSERT INTO appointments (time, content, reminder_lead_minutes, remind_at, created_by) VALUES (?, ?, ?, ?, ?) RETURNING id',
        )
        .pluck()
        .get(appointment.time, appointment.content, appointment.reminderLeadMinutes, remindAt, appointment.createdBy) as number;
      const remind = this.db.prepare<[number, number]>('INSERT INTO appointment_reminders (appointment_id, user_id) VALUES (?, ?)');
      for (const userId of new Set(appointment.remindUserIds)) remind.run(id, userId);
      return id;
    });
    return this.get(create.immediate()) as Appointment;
  }

  get(id: number): Appointment | null {
    const row = this.db.prepare<[number], AppointmentRow>(`${SELECT_APPOINTMENT} WHERE a.id = ?`).get(id);
    return row ? toAppointment(row) : null;
  }

  /** The appointment when `userId` created it or is reminded of it; null otherwise (or when there is none). */
  visibleTo(id: number, userId: number): Appointment | null {
    const appointment = this.get(id);
    if (!appointment) return null;
    return appointment.createdBy === userId || appointment.remindUserIds.includes(userId) ? appointment : null;
  }

  /** Appointments at or after `now` that the user created or is reminded of, soonest first. */
  upcomingFor(userId: number, now: Date, limit: number): Appointment[] {
    return this.db
      .prepare<{ user: number; now: string; limit: number }, AppointmentRow>(
        `${SELECT_APPOINTMENT}
          WHERE a.time >= :now AND a.cancelled_at IS NULL
            AND (a.created_by = :user OR EXISTS (SELECT 1 FROM appointment_reminders r WHERE r.appointment_id = a.id AND r.user_id = :user))
          ORDER BY a.time, a.id LIMIT :limit`,
      )
      .all({ user: userId, now: now.toISOString(), limit })
      .map(toAppointment);
  }

  /** Every appointment whose reminder has not gone out, for rebuilding the queue. */
  unsentReminders(): DueReminder[] {
    return this.db
      .prepare<[], { id: number; remind_at: string }>('SELECT id, remind_at FROM appointments WHERE reminder_sent_at IS NULL AND cancelled_at IS NULL ORDER BY id')
      .all()
      .map((row) => ({ id: row.id, remindAtMs: Date.parse(row.remind_at) }));
  }

  /** The appointment if its reminder is still to be sent. */
  pendingReminder(id: number): ReminderOf | null {
    const row = this.db.prepare<[number], AppointmentRow>(`${SELECT_APPOINTMENT} WHERE a.id = ? AND a.reminder_sent_at IS NULL AND a.cancelled_at IS NULL`).get(id);
    return row ? toReminder(row) : null;
  }

  /** Appointments whose reminder went out at or after `since`. */
  remindedSince(since: Date): ReminderOf[] {
    return this.db
      .prepare<[string], AppointmentRow>(`${SELECT_APPOINTMENT} WHERE a.reminder_sent_at >= ? AND a.cancelled_at IS NULL ORDER BY a.reminder_sent_at, a.id`)
      .all(since.toISOString())
      .map(toReminder);
  }

  /**
   * Changes an appointment; a new time or lead moves its reminder (`remind_at`), and new staff
   * to remind replace the old. A reminder that went out already is not sent again.
   */
  update(id: number, changes: AppointmentChanges): Appointment | null {
    const apply = this.db.transaction((): boolean => {
      const current = this.get(id);
      if (!current) return false;
      const time = changes.time ?? current.time;
      const lead = changes.reminderLeadMinutes ?? current.reminderLeadMinutes;
      const remindAt = new Date(Date.parse(time) - lead * 60_000).toISOString();
      this.db
        .prepare<[string, string, number, string, number]>(
          'UPDATE appointments SET time = ?, content = ?, reminder_lead_minutes = ?, remind_at = ? WHERE id = ?',
        )
        .run(time, changes.content ?? current.content, lead, remindAt, id);
      if (changes.remindUserIds) {
        this.db.prepare<[number]>('DELETE FROM appointment_reminders WHERE appointment_id = ?').run(id);
        const remind = this.db.prepare<[number, number]>('INSERT INTO appointment_reminders (appointment_id, user_id) VALUES (?, ?)');
        for (const userId of new Set(changes.remindUserIds)) remind.run(id, userId);
      }
      return true;
    });
    return apply.immediate() ? this.get(id) : null;
  }

  /** Cancels it for good: it stays readable, is no longer upcoming and sends no reminder. */
  cancel(id: number, at: Date): Appointment | null {
    this.db
      .prepare<[string, number]>('UPDATE appointments SET cancelled_at = ? WHERE id = ? AND cancelled_at IS NULL')
      .run(at.toISOString(), id);
    return this.get(id);
  }

  /** The id each person's reminder got when it was first published, by user id. */
  reminderEventIds(id: number): Map<number, number> {
    const rows = this.db
      .prepare<[number], { user_id: number; event_id: number }>(
        'SELECT user_id, event_id FROM appointment_reminders WHERE appointment_id = ? AND event_id IS NOT NULL',
      )
      .all(id);
    return new Map(rows.map((row) => [Number(row.user_id), Number(row.event_id)]));
  }

  /**
   * Marks the reminder sent (when `at` is given: a first publish; only the first sending is
   * recorded) and keeps the id each person's reminder got, in one transaction; a later publish
   * (a copy) leaves the first ids as they were.
   */
  recordReminderPublished(id: number, published: ReadonlyArray<{ userId: number; eventId: number }>, at?: Date): void {
    const record = this.db.prepare<[number, number, number]>(
      'UPDATE appointment_reminders SET event_id = ? WHERE appointment_id = ? AND user_id = ? AND event_id IS NULL',
    );
    const markSent = this.db.prepare<[string, number]>('UPDATE appointments SET reminder_sent_at = ? WHERE id = ? AND reminder_sent_at IS NULL');
    this.db.transaction(() => {
      if (at) markSent.run(at.toISOString(), id);
      for (const { userId, eventId } of published) record.run(eventId, id, userId);
    }).immediate();
  }
}
