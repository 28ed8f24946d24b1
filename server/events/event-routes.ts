import { Router } from 'express';
import { ackRequest, type EventsStateResponse } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { EventHistory } from './event-history.js';
import { ReadMarker } from './read-marker.js';

/**
 * `POST /api/events/ack`, `GET /api/events/state`; the stream itself is answered before Express
 * (event-stream-endpoint.ts). Expects the authentication middleware to have run.
 */
export function createEventRoutes(ctx: ServerContext): Router {
  const router = Router();
  const history = new EventHistory(ctx.redis, { historyLength: ctx.config.eventHistoryLength, historyTtlSeconds: ctx.config.eventHistoryTtlSeconds, keys: ctx.publisher.keys });
  const readMarker = new ReadMarker(ctx.redis, ctx.publisher.keys);

  router.post('/events/ack', async (req, res) => {
    const user = currentUser(res);
    const { lastEventId } = parseInput(ackRequest, req.body, 'acknowledgement');
    const newest = await history.newestId(user.id);
    if (newest === null || lastEventId > newest) {
      throw new HttpError(400, 'validation_failed', 'lastEventId is above the newest event of this user');
    }
    const { marker, advanced } = await readMarker.advance(user.id, lastEventId);
    if (advanced) {
      await ctx.publisher.publish(user.id, {
        type: 'notifications_read',
        lastEventId: marker,
        timestamp: new Date().toISOString(),
      });
    }
    res.json({ lastReadEventId: marker });
  });

  router.get('/events/state', async (_req, res) => {
    const user = currentUser(res);
    const [lastEventId, lastReadEventId] = await Promise.all([history.newestId(user.id), readMarker.get(user.id)]);
    const body: EventsStateResponse = { lastEventId, lastReadEventId };
    res.json(body);
  });

  return router;
}
