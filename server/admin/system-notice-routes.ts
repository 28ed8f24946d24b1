import { Router } from 'express';
import type { SystemNoticesResponse } from '../../common/api.js';
import { requireRole } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { NoticeStore } from '../notifications/notice-store.js';

const HISTORY_LIMIT = 200;

/** `GET /api/admin/system-notices`: the notices admins sent, newest first, with their reach. */
export function createSystemNoticeHistoryRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new NoticeStore(ctx.db);
  router.get('/admin/system-notices', requireRole('admin'), (_req, res) => {
    const body: SystemNoticesResponse = { notices: store.latest(HISTORY_LIMIT) };
    res.json(body);
  });
  return router;
}
