import { Router } from 'express';
import { systemNotificationRequest, type SystemNotificationResponse } from '../../common/api.js';
import type { SystemNotificationPayload } from '../../common/events.js';
import { AlertStore } from '../alerts/alert-store.js';
import { requireRole } from '../auth/authenticate.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { whenLockFree } from '../db/when-lock-free.js';
import { parseInput } from '../http/errors.js';
import { isRedisUnavailable, noteRedisFailure, redisUsable } from '../redis-unavailable.js';
import { noticeResenderFor } from './notice-resender.js';
import { NoticeStore, noticeDedupeKey } from './notice-store.js';
import { redisUnavailable } from './publish-now.js';
import { enabledUserIds, requireEnabledUserIds } from './recipients.js';

/**
 * `POST /api/admin/system-notifications`: an admin's notice to every enabled account, to those
 * of one role, or to named users (any id that is not an enabled account makes it a 400). While
 * Redis is known to be away it is refused (503) and nothing is written. Otherwise it is recorded
 * in SQLite before it is published, with the alert its receipts belong to; a publish that fails
 * part-way or times out may already have reached some desks (a timed-out script can still run),
 * so the notice is then kept and finished by notice-resender.ts with the same dedupe keys —
 * each recipient gets it once — and the admin is told it is queued (202).
 */
export function createSystemNotificationRoutes(ctx: ServerContext): Router {
  const router = Router();
  const notices = new NoticeStore(ctx.db);
  const alerts = new AlertStore(ctx.db);
  router.post('/admin/system-notifications', requireRole('admin'), async (req, res) => {
    const request = parseInput(systemNotificationRequest, req.body, 'system notification');
    if (!redisUsable(ctx.redis)) throw redisUnavailable();
    const recipients = request.userIds
      ? requireEnabledUserIds(ctx.db, request.userIds, 'userIds')
      : enabledUserIds(ctx.db, request.role);
    const sender = currentUser(res);
    const { notice, payload } = await whenLockFree(
      ctx.db.transaction(() => {
        const recorded = notices.record({
          content: request.content,
          role: request.role,
          userIds: request.userIds ? recipients : undefined,
          recipients,
          sentBy: sender.id,
        });
        const alertId = alerts.create({
          kind: 'notice',
          priority: 'routine',
          senderId: sender.id,
          noticeId: recorded.id,
          summary: request.content,
          createdAt: recorded.payload.timestamp,
          recipients: recipients.map((userId) => ({ userId })),
        });
        const announced: SystemNotificationPayload = { ...recorded.payload, alert_id: String(alertId) };
        return { notice: recorded, payload: announced };
      }),
    );
    let eventIds: number[];
    try {
      eventIds = await ctx.publisher.publishToMany(recipients, payload, { dedupeKey: noticeDedupeKey(notice) });
    } catch (error) {
      if (isRedisUnavailable(error)) noteRedisFailure(ctx.redis);
      ctx.logger.warn({ err: (error as Error).message, noticeId: notice.id }, 'system notification queued: its publish failed');
      noticeResenderFor(ctx).resendSoon();
      const queued: SystemNotificationResponse = { recipients: recipients.length, queued: true };
      res.status(202).json(queued);
      return;
    }
    await whenLockFree(ctx.db.transaction(() => notices.markSent(notice.id, eventIds)));
    ctx.logger.info(
      { userId: sender.id, recipients: recipients.length, role: request.role, named: request.userIds?.length },
      'system notification sent',
    );
    const body: SystemNotificationResponse = { recipients: recipients.length };
    res.json(body);
  });
  return router;
}
