import { Router } from 'express';
import type { ServerContext } from '../context.js';

/** `POST /api/admin/system-notifications`: an admin's notice to everyone, a role, or named users. */
export function createSystemNotificationRoutes(_ctx: ServerContext): Router {
  return Router();
}
