/**
 * Whether an error from the database means "the database cannot take this now", which the API
 * answers with 503 and Retry-After, rather than a bug (500).
 *
 * SQLite: another process held the lock past the busy timeout, the disk is full or failing, the
 * file cannot be opened or written.
 */
const SQLITE_UNAVAILABLE = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)/;

/**
 * PostgreSQL (SQLSTATE): the connection failed or was lost (08…), the server is shutting down,
 * starting or restarting (57P…), out of resources (53…), a statement cancelled by
 * statement_timeout (57014), a serialization failure or deadlock that a retry resolves (40…),
 * a lock not available (55P03); and the worker's own codes for an unreachable server or a
 * connection that never answered.
 */
const POSTGRES_UNAVAILABLE = /^(08|57P|53|57014|40|55P03|CLINICPULSE_)/;

/** A write that waited its turn for the write lock (`ifLockFree`, retried) as long as a busy timeout would, and gave up. */
export class DatabaseBusyError extends Error {
  override readonly name = 'DatabaseBusyError';
}

export function isDatabaseUnavailable(error: unknown): boolean {
  if (error instanceof DatabaseBusyError) return true;
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { code?: unknown };
  if (error.name === 'SqliteError') return typeof code === 'string' && SQLITE_UNAVAILABLE.test(code);
  if (error.name !== 'PostgresError') return false;
  // Without a SQLSTATE the failure was the network's (refused, reset, timed out).
  return typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code) || POSTGRES_UNAVAILABLE.test(code);
}
