import { Router } from 'express';
import { cookieOptions } from '../auth/auth-routes.js';
import { SESSION_COOKIE } from '../auth/authenticate.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { revokeStreams } from '../events/stream-revocation.js';

/**
 * `POST /api/me/sign-out-everywhere`: ends every session of the signed-in person, this one
 * included, and every stream they hold open on any server process (a badge left signed in on
 * another ward's workstation, a lost laptop). Their desks meet a 401 at once.
 */
export function createSignOutEverywhereRoutes(ctx: ServerContext): Router {
  const router = Router();
  router.post('/me/sign-out-everywhere', async (req, res) => {
    const user = currentUser(res);
    ctx.sessions.deleteAllForUser(user.id);
    await revokeStreams(ctx, user.id);
    ctx.logger.info({ userId: user.id }, 'signed out everywhere');
    res.clearCookie(SESSION_COOKIE, cookieOptions(req));
    res.status(204).end();
  });
  return router;
}
