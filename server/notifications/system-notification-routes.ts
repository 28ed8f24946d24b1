import { Router } from 'express';
import { systemNotificationRequest, type SystemNotificationResponse } from '../../common/api.js';
import type { SystemNotificationPayload } from '../../common/events.js';
import { SystemNoticeStore } from '../admin/system-notice-store.js';
import { requireRole } from '../auth/authenticate.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { publishNow } from './publish-now.js';
import { enabledUserIds, requireEnabledUserIds } from './recipients.js';

/**
 * `POST /api/admin/system-notifications`: an admin's notice to every enabled account, to those
 * of one role, or to named users (any id that is not an enabled account makes it a 400).
 */
export function createSystemNotificationRoutes(ctx: ServerContext): Router {
  const router = Router();
  const notices = new SystemNoticeStore(ctx.db);
  router.post('/admin/system-notifications', requireRole('admin'), async (req, res) => {
    const request = parseInput(systemNotificationRequest, req.body, 'system notification');
    const recipients = request.userIds
      ? requireEnabledUserIds(ctx.db, request.userIds, 'userIds')
      : enabledUserIds(ctx.db, request.role);
    const payload: SystemNotificationPayload = {
      type: 'system_notification',
      content: request.content,
      timestamp: new Date().toISOString(),
    };
    await publishNow(ctx, () => ctx.publisher.publishToMany(recipients, payload));
    const sender = currentUser(res);
    notices.record({
      content: request.content,
      role: request.role,
      userIds: request.userIds ? recipients : undefined,
      recipients: recipients.length,
      sentBy: sender.id,
    });
    ctx.logger.info(
      { userId: sender.id, recipients: recipients.length, role: request.role, named: request.userIds?.length },
      'system notification sent',
    );
    const body: SystemNotificationResponse = { recipients: recipients.length };
    res.json(body);
  });
  return router;
}
