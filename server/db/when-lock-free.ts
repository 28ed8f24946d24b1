import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { DatabaseBusyError } from './database-unavailable.js';
import { LOCK_BUSY, type SqlTransaction } from './sql-database.js';

/**
 * While another connection (another server process) holds the write lock, a write is tried
 * again this often, on a timer: waiting for it in SQLite's busy handler (which sleeps 1, 2, 5,
 * 10 … ms between tries) or for PostgreSQL's advisory lock would stop the event loop, and every
 * stream of this process with it.
 */
export const LOCK_RETRY_MS = 1;
/** How long a write waits for the lock before it fails as the database being busy (503): a busy timeout. */
export const LOCK_GIVE_UP_MS = 5_000;

/** The failure of a write that waited LOCK_GIVE_UP_MS for the lock: answered 503 like a busy timeout. */
export function lockWaitGivenUp(): DatabaseBusyError {
  return new DatabaseBusyError(`waited ${LOCK_GIVE_UP_MS} ms for the database's write lock`);
}

/** `transaction.immediate(...args)`, waiting for the write lock on a timer instead of on the event loop. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as SqlTransaction's own
export async function whenLockFree<F extends (...args: any[]) => unknown>(transaction: SqlTransaction<F>, ...args: Parameters<F>): Promise<ReturnType<F>> {
  const startedAt = performance.now();
  for (;;) {
    const result = transaction.ifLockFree(...args);
    if (result !== LOCK_BUSY) return result;
    if (performance.now() - startedAt >= LOCK_GIVE_UP_MS) throw lockWaitGivenUp();
    await sleep(LOCK_RETRY_MS);
  }
}
