import { parse as parseCookies } from 'cookie';
import type { RequestHandler } from 'express';
import type { IncomingMessage } from 'node:http';
import type { Role } from '../../common/api.js';
import { HttpError } from '../http/errors.js';
import { setCurrentUser } from './current-user.js';
import type { SessionStore } from './session-store.js';

export const SESSION_COOKIE = 'session';

/** The desktop app sends `Authorization: Bearer <token>`; browsers send the `session` cookie. */
export function sessionTokenFrom(req: IncomingMessage): string | null {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ?? null;
  }
  const cookie = req.headers.cookie ? parseCookies(req.headers.cookie)[SESSION_COOKIE] : undefined;
  return cookie ? cookie : null;
}

/** Sets the current user when the request carries a valid session; never rejects by itself. */
export function authenticate(sessions: SessionStore): RequestHandler {
  return (req, res, next) => {
    const token = sessionTokenFrom(req);
    const user = token ? sessions.userFor(token) : null;
    if (user) setCurrentUser(res, user);
    next();
  };
}

export const requireUser: RequestHandler = (_req, res, next) => {
  if (!res.locals.user) {
    next(new HttpError(401, 'unauthorized', 'sign in first'));
    return;
  }
  next();
};

export function requireRole(role: Role): RequestHandler {
  return (_req, res, next) => {
    const user = res.locals.user as { role: Role } | undefined;
    if (!user) next(new HttpError(401, 'unauthorized', 'sign in first'));
    else if (user.role !== role)
      next(new HttpError(403, 'forbidden', `this needs the ${role} role`));
    else next();
  };
}
