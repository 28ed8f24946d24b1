import { Router } from 'express';
import { systemNotificationRequest, type SystemNotificationResponse } from '../../common/api.js';
import type { SystemNotificationPayload } from '../../common/events.js';
import { AlertStore } from '../alerts/alert-store.js';
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
  const alerts = new AlertStore(ctx.db);
  router.post('/admin/system-notifications', requireRole('admin'), async (req, res) => {
    const request = parseInput(systemNotificationRequest, req.body, 'system notification');
    const recipients = request.userIds
      ? requireEnabledUserIds(ctx.db, request.userIds, 'userIds')
      : enabledUserIds(ctx.db, request.role);
    const timestamp = new Date().toISOString();
    const alertId = ctx.db
      .transaction(() =>
        alerts.create({
          kind: 'notice',
          priority: 'routine',
          senderId: currentUser(res).id,
          summary: request.content,
          createdAt: timestamp,
          recipients: recipients.map((userId) => ({ userId })),
        }),
      )
      .immediate();
    const payload: SystemNotificationPayload = {
      type: 'system_notification',
      content: request.content,
      timestamp,
      alert_id: String(alertId),
    };
    try {
      await publishNow(ctx, () => ctx.publisher.publishToMany(recipients, payload));
    } catch (error) {
      // Not sent: the audit must not list a notice nobody was sent.
      ctx.db.prepare<[number]>('DELETE FROM alerts WHERE id = ?').run(alertId);
      throw error;
    }
    ctx.logger.info(
      { userId: currentUser(res).id, recipients: recipients.length, role: request.role, named: request.userIds?.length },
      'system notification sent',
    );
    const body: SystemNotificationResponse = { recipients: recipients.length };
    res.json(body);
  });
  return router;
}
