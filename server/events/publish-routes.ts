import { Router, type RequestHandler } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { publishEventsRequest, type PublishEventsResponse } from '../../common/events.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { publishNow } from '../notifications/publish-now.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';

/**
 * `POST /api/internal/events`: another backend publishes through ClinicPulse, signed in with
 * `Authorization: Bearer <PUBLISH_TOKEN>` (no session): the payload is checked, every recipient
 * must be an enabled account, and the caller learns each event's id. The cleaner path for the
 * original system's backend than its bare JSON in Redis, which ClinicPulse adopts by content
 * (two identical events would be taken for one). Not served while PUBLISH_TOKEN is unset.
 */
export function createPublishRoutes(ctx: ServerContext): Router {
  const router = Router();
  const token = ctx.config.publishToken;
  if (token === null) return router;
  router.post('/internal/events', requirePublishToken(token), async (req, res) => {
    const request = parseInput(publishEventsRequest, req.body, 'event');
    const userIds = requireEnabledUserIds(ctx.db, request.userIds, 'userIds');
    const options = request.dedupeKey === undefined ? {} : { dedupeKey: `internal:${request.dedupeKey}` };
    const ids = await publishNow(ctx, async () =>
      userIds.length === 1 ? [await ctx.publisher.publish(userIds[0]!, request.event, options)] : ctx.publisher.publishToMany(userIds, request.event, options),
    );
    ctx.logger.info({ type: request.event.type, recipients: ids.length }, 'event published for another backend');
    const body: PublishEventsResponse = { ids };
    res.json(body);
  });
  return router;
}

/** Compares digests, so neither the token's length nor its bytes leak through timing. */
function requirePublishToken(token: string): RequestHandler {
  const expected = createHash('sha256').update(token).digest();
  return (req, _res, next) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const given = createHash('sha256').update(match?.[1] ?? '').digest();
    next(match && timingSafeEqual(given, expected) ? undefined : new HttpError(401, 'unauthorized', 'this endpoint needs Authorization: Bearer <PUBLISH_TOKEN>'));
  };
}
