import { Router } from 'express';
import {
  testAppointmentReminderRequest,
  testNewMessageRequest,
  testSystemNotificationRequest,
  type PublishedResponse,
} from '../../common/api.js';
import type { EventPayload } from '../../common/events.js';
import { currentUser } from '../auth/current-user.js';
import { crossSiteCookieRequest, crossSiteRefused } from '../auth/same-origin-check.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { testEndpointRateLimit } from '../http/rate-limit.js';
import { publishNow } from '../notifications/publish-now.js';

/** How far ahead a test reminder's appointment is when the body names no time. */
const DEFAULT_APPOINTMENT_LEAD_MS = 15 * 60_000;

/**
 * The original system's test endpoints: each publishes one sample event to the signed-in user,
 * filling in what the body leaves out, and answers with the event's id (`GET /api/sse` also with
 * the original's `message`). Mounted only when
 * `TEST_ENDPOINTS` is on (off by default in production).
 */
export function createTestEventRoutes(ctx: ServerContext): Router {
  const router = Router();
  if (!ctx.config.testEndpoints) return router;
  const rateLimit = testEndpointRateLimit(ctx);
  router.use('/test', rateLimit);

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

  /**
   * The original system's "Test SSE Message": a GET (its test panel fetches it) that publishes a
   * test message to the signed-in user and answers JSON. A request asking for an event stream
   * never gets here: it is the stream (event-stream-endpoint.ts). Being a GET that changes
   * something, it is refused when the session cookie rides in from another site's page.
   */
  router.get('/sse', rateLimit, async (req, res) => {
    if (crossSiteCookieRequest(req, ctx.config.corsOrigins)) throw crossSiteRefused();
    const { id } = await publish(currentUser(res).id, {
      type: 'new_message',
      conversation_id: 'test-123',
      sender: 'Test User',
      text: 'This is a test message',
      timestamp: new Date().toISOString(),
    });
    const body: PublishedResponse & { message: string } = { message: 'Event published successfully', id };
    res.json(body);
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
