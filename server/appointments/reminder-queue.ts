import type { Redis, Result } from 'ioredis';
import type { DueReminder } from './appointment-store.js';

/** Sorted set of appointment ids scored by when their reminder is due (ms since the epoch). */
export const REMINDERS_DUE_KEY = 'reminders:due';

/**
 * KEYS: the sorted set; ARGV: now (ms), most to take. Takes the due members out of the set in
 * one atomic step and returns them: whoever gets a member back is the one process to send it.
 */
const CLAIM_DUE_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseClaimDueReminders(key: string, nowMs: number, limit: number): Result<string[], Context>;
  }
}

/** The Redis side of reminders: what is due when, and the claim that makes each sent once. */
export class ReminderQueue {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('clinicPulseClaimDueReminders', { numberOfKeys: 1, lua: CLAIM_DUE_SCRIPT });
  }

  async schedule(reminder: DueReminder): Promise<void> {
    await this.redis.zadd(REMINDERS_DUE_KEY, reminder.remindAtMs, String(reminder.id));
  }

  /** Takes an appointment's reminder out of the set (it was cancelled). */
  async unschedule(appointmentId: number): Promise<void> {
    await this.redis.zrem(REMINDERS_DUE_KEY, String(appointmentId));
  }

  /** Adds the reminders not in the set yet (a claimed-but-unsent one comes back: the dedupe key guards it). */
  async seed(reminders: readonly DueReminder[]): Promise<void> {
    const CHUNK = 500;
    for (let start = 0; start < reminders.length; start += CHUNK) {
      const args = reminders.slice(start, start + CHUNK).flatMap((reminder) => [reminder.remindAtMs, String(reminder.id)]);
      await this.redis.zadd(REMINDERS_DUE_KEY, 'NX', ...args);
    }
  }

  /** Removes and returns up to `limit` appointment ids due at `nowMs`; no other caller gets them. */
  async claimDue(nowMs: number, limit: number): Promise<number[]> {
    const ids = await this.redis.clinicPulseClaimDueReminders(REMINDERS_DUE_KEY, nowMs, limit);
    return ids.map(Number);
  }
}
