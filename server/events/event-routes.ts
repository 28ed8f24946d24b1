import { Router, type Request, type Response } from 'express';
import { ackRequest, type EventsStateResponse } from '../../common/api.js';
import { lastEventIdHeader, type ReadyControl, type ResyncControl } from '../../common/events.js';
import { formatSseFrame } from '../../common/sse.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import type { EventHub } from './event-hub.js';
import { EventHistory } from './event-history.js';
import { ReadMarker } from './read-marker.js';
import { STREAM_RESPONSE_HEADERS, StreamSession } from './stream-session.js';
import { takeStreamSocket } from './stream-socket.js';

const STREAM_PATHS = ['/events/stream', '/sse'] as const;

/** Whether a request path (from the root) opens an event stream. */
export function isEventStreamPath(path: string): boolean {
  return STREAM_PATHS.some((streamPath) => path === `/api${streamPath}`);
}

/**
 * `GET /api/events/stream` (alias `/api/sse`), `POST /api/events/ack`, `GET /api/events/state`.
 * Expects the authentication middleware to have run.
 */
export function createEventRoutes(ctx: ServerContext, hub: EventHub): Router {
  const router = Router();
  const history = new EventHistory(ctx.redis);
  const readMarker = new ReadMarker(ctx.redis);
  const stream = streamHandler(ctx, hub, history);

  for (const path of STREAM_PATHS) router.get(path, stream);

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

function requestedLastEventId(req: Request): number | null {
  const raw = req.get('last-event-id') ?? (typeof req.query.lastEventId === 'string' ? req.query.lastEventId : undefined);
  if (raw === undefined || raw === '') return null;
  const parsed = lastEventIdHeader.safeParse(raw.trim());
  if (!parsed.success) throw new HttpError(400, 'bad_request', 'Last-Event-ID must be a non-negative integer');
  return parsed.data;
}

function streamHandler(ctx: ServerContext, hub: EventHub, history: EventHistory) {
  const { config, metrics, logger } = ctx;
  let warnedAttached = false;
  return async (req: Request, res: Response): Promise<void> => {
    const user = currentUser(res);
    const since = requestedLastEventId(req);
    if (req.method === 'HEAD') {
      res.status(200).set(STREAM_RESPONSE_HEADERS).end();
      return;
    }
    if (hub.streamCountFor(user.id) >= config.maxStreamsPerUser) {
      metrics.streamsRejected.inc();
      throw new HttpError(429, 'too_many_streams', `at most ${config.maxStreamsPerUser} open streams per user`, {
        'Retry-After': String(Math.ceil(config.sseRetryMs / 1000)),
      });
    }

    const session = new StreamSession(user.id, since, config.streamMaxBufferedBytes, hub.unregister);
    const clientGone = (): void => session.close('client_gone');
    req.on('close', clientGone);
    const unavailable = () =>
      new HttpError(503, 'unavailable', 'event delivery is unavailable, retry shortly', {
        'Retry-After': String(Math.ceil(config.sseRetryMs / 1000)),
      });
    // Subscribe first, then read history: an event published in between is both held live and
    // in the snapshot, and the session writes it once. The other order could miss it.
    let snapshot;
    try {
      await hub.register(session);
      snapshot = await history.snapshot(user.id, since);
    } catch (error) {
      hub.unregister(session);
      logger.warn({ err: error, userId: user.id }, 'event stream unavailable');
      throw unavailable();
    }
    if (session.isClosed) {
      // The client left, or Redis dropped the subscription, while history was being read.
      if (!req.destroyed) throw unavailable();
      return;
    }
    req.off('close', clientGone);
    const { socket, detached } = takeStreamSocket(req, res);
    session.begin(socket, config.sseRetryMs);
    if (!detached && !warnedAttached) {
      warnedAttached = true;
      logger.warn(
        { node: process.version },
        'event streams stay attached to the HTTP server on this Node version: about 6 KB more memory per open stream',
      );
    }

    if (snapshot.status !== 'complete') {
      // The client must reload over REST; the stream then continues from `lastEventId`.
      const continueFrom = snapshot.status === 'unknown_id' ? snapshot.newestId : (since ?? 0);
      const resync: ResyncControl = {
        type: 'resync',
        reason: snapshot.status === 'unknown_id' ? 'unknown_id' : 'history_expired',
        lastEventId: continueFrom,
      };
      session.resetPosition(continueFrom);
      session.writeRaw(formatSseFrame({ id: continueFrom, event: 'resync', data: JSON.stringify(resync) }));
      metrics.resyncs.inc();
    }

    session.replay(snapshot.replay);
    const replayed = snapshot.replay.count;
    metrics.eventsReplayed.inc(replayed);
    metrics.eventsDelivered.inc(session.goLive());
    const ready: ReadyControl = { type: 'ready', lastEventId: Math.max(snapshot.newestId, session.lastId) };
    session.writeRaw(formatSseFrame({ event: 'ready', data: JSON.stringify(ready) }));
    logger.info({ userId: user.id, lastEventId: since, replayed, resync: snapshot.status !== 'complete' }, 'event stream opened');
  };
}
