import type { StreamEvent } from '../../../common/events.js';
import { HISTORY_BASE_PREFIX, SINGLE_REDIS_KEYS, type KeySpace } from '../../../server/events/keys.js';
import type { RedisClient } from '../../../server/redis-client.js';

/** What a user has been sent and Redis still holds, oldest first: the history a stream replays. */
export async function userEvents(redis: RedisClient, userId: number, keys: KeySpace = SINGLE_REDIS_KEYS): Promise<StreamEvent[]> {
  return (await redis.lrange(keys.userEventsKey(userId), 0, -1))
    .filter((entry) => !entry.startsWith(HISTORY_BASE_PREFIX))
    .map((json) => JSON.parse(json) as StreamEvent);
}

/** How long a test waits for a stream frame; generous because CI machines run many suites at once. */
export const STREAM_WAIT_MS = 20_000;

/** Polls until `check` returns true (or throws its last failure after `timeoutMs`). */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, timeoutMs = STREAM_WAIT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Row counts of the tables a feature writes, to show a refused request changed nothing. */
export function rowCounts(db: { prepare(sql: string): { get(): unknown } }): Record<string, number> {
  const tables = ['conversations', 'conversation_participants', 'messages', 'appointments', 'appointment_reminders', 'outbox'];
  return Object.fromEntries(tables.map((table) => [table, (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n]));
}

/**
 * Row counts once the outbox relay has published what earlier requests queued, so a later
 * comparison sees only what happened in between.
 */
export async function settledRowCounts(db: { prepare(sql: string): { get(): unknown } }): Promise<Record<string, number>> {
  await eventually(() => rowCounts(db).outbox === 0, 'the outbox relay to catch up');
  return rowCounts(db);
}
