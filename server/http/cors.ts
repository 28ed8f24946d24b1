import cors from 'cors';
import type { RequestHandler } from 'express';

/**
 * CORS for the origins in `CORS_ORIGINS` (none by default), with credentials: a frontend served
 * from another origin (the original system's development setup: the page on one port, the API
 * on another) may call the API and open the stream with the session cookie. Any other origin
 * gets no CORS header at all, so its page cannot read an answer. The same list lets such
 * requests past the cross-site check (auth/same-origin-check.ts).
 */
export function corsForAllowedOrigins(allowedOrigins: ReadonlySet<string>): RequestHandler {
  return cors({
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    exposedHeaders: ['Retry-After'],
    maxAge: 600,
  });
}

/** The same answer for the event stream, which is served before Express. */
export function corsHeadersFor(allowedOrigins: ReadonlySet<string>, origin: string | undefined): Record<string, string> {
  if (origin === undefined || !allowedOrigins.has(origin)) return allowedOrigins.size > 0 ? { Vary: 'Origin' } : {};
  return { 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true', 'Access-Control-Expose-Headers': 'Retry-After', Vary: 'Origin' };
}
