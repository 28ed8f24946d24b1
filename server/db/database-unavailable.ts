/**
 * Whether an error from SQLite means "the database cannot take this now" — another process held
 * the lock past the busy timeout, the disk is full or failing, the file cannot be opened or
 * written — which the API answers with 503 and Retry-After, rather than a bug (500).
 */
const UNAVAILABLE_CODES = /^SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)/;

export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return false;
  const { code } = error as Error & { code?: unknown };
  return typeof code === 'string' && UNAVAILABLE_CODES.test(code);
}
