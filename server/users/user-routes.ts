import { Router } from 'express';
import {
  createUserRequest,
  entityId,
  updateUserRequest,
  type AdminUsersResponse,
  type UsersResponse,
} from '../../common/api.js';
import { requireRole } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { revokeStreams } from '../events/stream-revocation.js';
import { HttpError, parseInput } from '../http/errors.js';
import { enabledUserIds } from '../notifications/recipients.js';
import { AccountError, Accounts } from './accounts.js';
import { DuplicateUsernameError } from './user-store.js';

/** `GET /api/users`: the staff directory every signed-in user may read (enabled accounts). */
export function createUserDirectoryRoutes(ctx: ServerContext): Router {
  const router = Router();
  const accounts = new Accounts(ctx.db);
  router.get('/users', (_req, res) => {
    const body: UsersResponse = { users: accounts.users.directory() };
    res.json(body);
  });
  return router;
}

/**
 * Tells every enabled account that the directory changed, so pickers follow. The account change
 * is committed already: with Redis away it is only logged, and desks see it at their next load.
 */
async function announceDirectoryChange(ctx: ServerContext): Promise<void> {
  if (ctx.redis.status !== 'ready') {
    ctx.logger.warn('directory change not announced: Redis unreachable');
    return;
  }
  try {
    await ctx.publisher.publishToMany(enabledUserIds(ctx.db), {
      type: 'directory_changed',
      timestamp: new Date().toISOString(),
    });
  } catch (error) {
    ctx.logger.warn(
      { err: (error as Error).message },
      'directory change not announced: Redis unreachable',
    );
  }
}

/** `/api/admin/users`: the clinic IT admin's account management. */
export function createAdminUserRoutes(ctx: ServerContext): Router {
  const router = Router();
  const accounts = new Accounts(ctx.db);
  router.use('/admin/users', requireRole('admin'));

  router.get('/admin/users', (_req, res) => {
    const body: AdminUsersResponse = { users: accounts.users.list() };
    res.json(body);
  });

  router.post('/admin/users', async (req, res) => {
    const request = parseInput(createUserRequest, req.body, 'user');
    try {
      const user = await accounts.add(request);
      ctx.logger.info(
        { userId: user.id, username: user.username, role: user.role },
        'user created',
      );
      await announceDirectoryChange(ctx);
      res.status(201).json({ user });
    } catch (error) {
      throw accountHttpError(error);
    }
  });

  router.patch('/admin/users/:id', async (req, res) => {
    const id = parseInput(entityId, req.params.id, 'user id');
    const request = parseInput(updateUserRequest, req.body, 'user change');
    try {
      const user = await accounts.update(id, request);
      // Their sessions are gone; open streams on every server process must end with them.
      if (request.disabled === true || request.password !== undefined) await revokeStreams(ctx, id);
      const { password: _secret, ...changes } = request;
      ctx.logger.info(
        { userId: id, changes, passwordReset: request.password !== undefined },
        'user updated',
      );
      if (
        request.displayName !== undefined ||
        request.role !== undefined ||
        request.disabled !== undefined
      )
        await announceDirectoryChange(ctx);
      res.json({ user });
    } catch (error) {
      throw accountHttpError(error);
    }
  });

  return router;
}

function accountHttpError(error: unknown): unknown {
  if (error instanceof DuplicateUsernameError) return new HttpError(409, 'conflict', error.message);
  if (error instanceof AccountError) {
    return error.reason === 'not_found'
      ? new HttpError(404, 'not_found', error.message)
      : new HttpError(409, 'conflict', error.message);
  }
  return error;
}
