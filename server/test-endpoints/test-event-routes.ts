import { Router } from 'express';
import {
  testAppointmentReminderRequest,
  testNewMessageRequest,
  testSystemNotificationRequest,
  type PublishedResponse,
} from '../../common/api.js';
import type { EventPayload } from '../../common/events.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { testEndpointRateLimit } from '../http/rate-limit.js';
import { publishNow } from '../notifications/publish-now.js';

/** How far ahead a test reminder's appointment is when the body names no time. */
const DEFAULT_APPOINTMENT_LEAD_MS = 15 * 60_000;

/**
 * The original system's test endpoints: each publishes one sample event to the signed-in user,
 * filling in what the body leaves out, and answers with the event's id. Mounted only when
 * `TEST_ENDPOINTS` is on (off by default in production).
 */
export function createTestEventRoutes(ctx: ServerContext): Router {
  const router = Router();
  if (!ctx.config.testEndpoints) return router;
  router.use('/test', testEndpointRateLimit(ctx));

  const publish = async (userId: number, payload: EventPayload): Promise<PublishedResponse> => ({
    id: await publishNow(ctx, () => ctx.publisher.publish(userId, payload)),
  });

  router.post('/test/appointment-reminder', async (req, res) => {
    const request = parseInput(testAppointmentReminderRequest, req.body ?? {}, 'test appointment reminder');
    const now = new Date();
    res.json(
      await publish(currentUser(res).id, {
        type: 'appointment_reminder',
        appointmentId: request.appointmentId ?? `test-${now.getTime()}`,
        time: request.time ?? new Date(now.getTime() + DEFAULT_APPOINTMENT_LEAD_MS).toISOString(),
        content: request.content ?? 'Test appointment',
        timestamp: now.toISOString(),
      }),
    );
  });

  router.post('/test/system-notification', async (req, res) => {
    const request = parseInput(testSystemNotificationRequest, req.body ?? {}, 'test system notification');
    res.json(
      await publish(currentUser(res).id, {
        type: 'system_notification',
        content: request.content ?? 'This is a test system notification',
        timestamp: new Date().toISOString(),
      }),
    );
  });

  router.post('/test/new-message', async (req, res) => {
    const request = parseInput(testNewMessageRequest, req.body ?? {}, 'test message');
    res.json(
      await publish(currentUser(res).id, {
        type: 'new_message',
        conversation_id: request.conversation_id ?? 'test',
        sender: request.sender ?? 'Test User',
        text: request.text ?? 'This is a test message',
        timestamp: new Date().toISOString(),
      }),
    );
  });

  return router;
}
