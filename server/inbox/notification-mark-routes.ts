import { Router } from 'express';
import { markNotificationsRequest, type NotificationMarksResponse } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { NotificationMarkStore } from './notification-mark-store.js';

/**
 * `POST /api/notifications/marks` marks single notifications read or unread for the user (every
 * desk hears `notifications_marked`); `GET /api/notifications/marks` lists the marks kept.
 */
export function createNotificationMarkRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new NotificationMarkStore(ctx.db);

  router.get('/notifications/marks', (_req, res) => {
    const body: NotificationMarksResponse = { marks: store.marksOf(currentUser(res).id) };
    res.json(body);
  });

  router.post('/notifications/marks', (req, res) => {
    const user = currentUser(res);
    const { eventIds, read } = parseInput(markNotificationsRequest, req.body, 'notification marks');
    store.mark(user.id, eventIds, read);
    outboxRelayFor(ctx).kick();
    res.status(204).end();
  });

  return router;
}
