/** Whether a statement failed on a UNIQUE constraint, in either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  // SQLite names it; PostgreSQL gives its SQLSTATE.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}

/** Whether a statement found another connection holding the write lock past its wait (SQLite). */
export function isLockBusy(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'SQLITE_BUSY';
}
