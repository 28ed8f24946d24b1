import type { ServerContext } from '../context.js';
import { HttpError } from '../http/errors.js';

/**
 * A write that SQLite could not take (another process held the lock past the busy timeout, the
 * disk failed) is an outage of the database: 503 with Retry-After, so a desk simply reports again.
 */
export function databaseUnavailable(ctx: ServerContext, error: unknown): HttpError {
  ctx.logger.warn({ err: (error as Error).message }, 'database write failed');
  return new HttpError(503, 'unavailable', 'the database is unavailable, retry shortly', { 'Retry-After': '5' });
}
