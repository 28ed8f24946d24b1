import type { SqlDatabase } from '../db/sql-database.js';

/**
 * Deletes alerts (with their recipients and receipts) sent more than `days` ago; the messages,
 * reminders and notices themselves stay. Returns how many went. Batched, so a first run on a
 * large database never holds the write lock for long.
 */
export function purgeExpiredAlerts(db: SqlDatabase, days: number, now: Date, batch = 1_000): number {
  const cutoff = new Date(now.getTime() - days * 86_400_000).toISOString();
  const purge = db.prepare<[string, number]>(
    'DELETE FROM alerts WHERE id IN (SELECT id FROM alerts WHERE created_at < ? AND escalation_due_at IS NULL LIMIT ?)',
  );
  let total = 0;
  for (;;) {
    const removed = db.transaction(() => purge.run(cutoff, batch).changes).immediate();
    total += removed;
    if (removed < batch) return total;
  }
}
