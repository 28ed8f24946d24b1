/** Whether a statement failed on a UNIQUE constraint, in either engine. */
export function isUniqueViolation(error: unknown): boolean {
  const { code } = (error ?? {}) as { code?: unknown };
  // SQLite names it; PostgreSQL gives its SQLSTATE.
  return code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === '23505';
}
