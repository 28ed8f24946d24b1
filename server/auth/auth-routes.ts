import { createHash } from 'node:crypto';
import { Router, type CookieOptions, type Request } from 'express';
import { loginRequest, type LoginResponse, type MeResponse } from '../../common/api.js';
import type { ServerContext } from '../context.js';
import { revokeSessionStreams } from '../events/stream-revocation.js';
import { HttpError, parseInput } from '../http/errors.js';
import { UserStore, publicUser } from '../users/user-store.js';
import { SESSION_COOKIE, requireUser, sessionTokenFrom } from './authenticate.js';
import { currentUser, signedInUser } from './current-user.js';
import { loginThrottles } from './login-throttle.js';
import { decoyPasswordHash, verifyPassword } from './password.js';

const INVALID_CREDENTIALS = 'username or password is incorrect';

/**
 * Tells repeated attempts with the same typed name apart in the log without writing it: the
 * first 12 hex digits of its SHA-256 (lower-cased, as usernames are matched).
 */
function attemptTag(username: string): string {
  return createHash('sha256').update(username.toLowerCase()).digest('hex').slice(0, 12);
}

/** Secure whenever the client reached us over TLS (directly, or through a trusted proxy). */
export function cookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', secure: req.secure, path: '/' };
}

/** `POST /api/auth/login` and `POST /api/auth/logout`: reachable without a session. */
export function createAuthRoutes(ctx: ServerContext): Router {
  const { sessions } = ctx;
  const router = Router();
  const users = new UserStore(ctx.db);

  router.post(
    '/auth/login',
    ...loginThrottles(ctx.redis, ctx.config, ctx.logger),
    async (req, res) => {
      const { username, password } = parseInput(loginRequest, req.body, 'sign-in');
      const user = users.byUsername(username);
      // Always run scrypt, so unknown, disabled and wrongly typed accounts all take as long.
      const matches = await verifyPassword(
        password,
        user?.passwordHash ?? (await decoyPasswordHash()),
      );
      if (!user || user.disabled || !matches) {
        // Never the typed username: people type their password into that field too.
        ctx.logger.info({ userId: user?.id, usernameHash: attemptTag(username), ip: req.ip }, 'sign-in refused');
        throw new HttpError(401, 'invalid_credentials', INVALID_CREDENTIALS);
      }
      const session = sessions.create(user.id);
      const expires = new Date(session.expiresAt);
      res.cookie(SESSION_COOKIE, session.token, { ...cookieOptions(req), expires });
      ctx.logger.info({ userId: user.id }, 'signed in');
      const body: LoginResponse = {
        token: session.token,
        user: publicUser(user),
        expiresAt: session.expiresAt,
      };
      res.json(body);
    },
  );

  router.post('/auth/logout', async (req, res) => {
    const token = sessionTokenFrom(req);
    const user = signedInUser(res);
    const sessionId = token ? sessions.delete(token) : null;
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
    if (sessionId !== null && user) await revokeSessionStreams(ctx, user.id, sessionId);
  });

  return router;
}

/** `GET /api/me`: who the session belongs to. */
export function createMeRoutes(): Router {
  const router = Router();
  router.get('/me', requireUser, (_req, res) => {
    const body: MeResponse = { user: currentUser(res) };
    res.json(body);
  });
  return router;
}
