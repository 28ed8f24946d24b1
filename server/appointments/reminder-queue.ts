import type { RedisClient } from '../redis-client.js';
import { DueSet, type DueEntry } from '../scheduling/due-set.js';
import type { DueReminder } from './appointment-store.js';

/** Sorted set of appointment ids scored by when their reminder is due (ms since the epoch). */
export const REMINDERS_DUE_KEY = 'reminders:due';

/** The Redis side of reminders: what is due when, and the claim that makes each sent once. */
export class ReminderQueue {
  readonly set: DueSet;

  constructor(redis: RedisClient) {
    this.set = new DueSet(redis, REMINDERS_DUE_KEY);
  }

  schedule(reminder: DueReminder): Promise<void> {
    return this.set.schedule(reminderEntry(reminder));
  }

  /** Takes an appointment's reminder out of the set (it was cancelled). */
  unschedule(appointmentId: number): Promise<void> {
    return this.set.unschedule(String(appointmentId));
  }

  /** Adds the reminders not in the set yet (a claimed-but-unsent one comes back: the dedupe key guards it). */
  seed(reminders: readonly DueReminder[]): Promise<void> {
    return this.set.seed(reminders.map(reminderEntry));
  }

  /** Removes and returns up to `limit` appointment ids due at `nowMs`; no other caller gets them. */
  async claimDue(nowMs: number, limit: number): Promise<number[]> {
    return (await this.set.claimDue(nowMs, limit)).map(Number);
  }
}

/** A reminder as a member of the set: the appointment id, scored by when the reminder is due. */
export const reminderEntry = (reminder: DueReminder): DueEntry => ({ member: String(reminder.id), dueMs: reminder.remindAtMs });
