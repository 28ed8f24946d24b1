import type { Request, RequestHandler } from 'express';
import type { IncomingHttpHeaders } from 'node:http';
import { HttpError } from '../http/errors.js';
import { SESSION_COOKIE } from './authenticate.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Refuses a state change that rides on the session cookie from another site: a form post or a
 * `text/plain` fetch from a page elsewhere carries the cookie (SameSite=Lax lets top-level form
 * posts from other sites through for GET only, and `same-site` pages share it). Browsers say
 * where a request comes from in `Sec-Fetch-Site`, or at least `Origin`; a request with neither
 * is not from a browser page and carries no forged intent. Requests signed in with
 * `Authorization: Bearer` (the desktop app, curl) are not at risk: no page can add that header
 * for another site. `allowedOrigins` are other origins trusted with credentials (CORS).
 */
export function sameOriginCheck(allowedOrigins: ReadonlySet<string> = new Set()): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    next(crossSiteCookieRequest(req, allowedOrigins) ? crossSiteRefused() : undefined);
  };
}

/**
 * Whether a request rides on the session cookie from a page of another site that is not
 * allowed: for a GET that changes something (the original system's `GET /api/sse` test).
 */
export function crossSiteCookieRequest(req: Request, allowedOrigins: ReadonlySet<string>): boolean {
  return crossSiteCookieHeaders(req.headers, allowedOrigins, () => `${req.protocol}://${req.get('host')}`);
}

/** Whether a request signs in with the session cookie rather than `Authorization`. */
export function ridesOnSessionCookie(headers: IncomingHttpHeaders): boolean {
  return !headers.authorization && headers.cookie?.includes(`${SESSION_COOKIE}=`) === true;
}

/**
 * The rule itself, on the request's headers, for code that answers before Express (the receipts
 * endpoint). `ownOrigin` is asked only of a browser that sends `Origin` but no `Sec-Fetch-Site`.
 */
export function crossSiteCookieHeaders(headers: IncomingHttpHeaders, allowedOrigins: ReadonlySet<string>, ownOrigin: () => string): boolean {
  if (!ridesOnSessionCookie(headers)) return false;
  const origin = headers.origin;
  const fetchSite = headers['sec-fetch-site'];
  const allowed = origin !== undefined && allowedOrigins.has(origin);
  // Sec-Fetch-Site first: it needs no idea of our own address, which a reverse proxy may hide.
  const trusted =
    fetchSite !== undefined
      ? fetchSite === 'same-origin' || fetchSite === 'none' || allowed
      : origin === undefined || allowed || origin === ownOrigin();
  return !trusted;
}

export function crossSiteRefused(): HttpError {
  return new HttpError(403, 'forbidden', 'cross-site request refused: send it from the ClinicPulse page, or sign in with a bearer token');
}
