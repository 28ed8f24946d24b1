import type { IncomingMessage, ServerResponse } from 'node:http';
import { lastEventIdHeader, sinceTimestampParam, type ReadyControl, type ResyncControl } from '../../common/events.js';
import { formatSseFrame } from '../../common/sse.js';
import { sessionTokenFrom } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { corsHeadersFor } from '../http/cors.js';
import { HttpError, sendHttpError } from '../http/errors.js';
import type { EventHub } from './event-hub.js';
import { EventHistory } from './event-history.js';
import { STREAM_RESPONSE_HEADERS, StreamSession } from './stream-session.js';
import { takeStreamSocket } from './stream-socket.js';

const STREAM_PATH = '/api/events/stream';
/**
 * The original system's `GET /api/sse` was its test endpoint ("Test SSE Message": publish a
 * test event, answer JSON): the stream answers it only when asked for an event stream, as every
 * EventSource asks; any other request goes on to the test endpoint (test-event-routes.ts).
 */
const ALIAS_PATH = '/api/sse';

/** Set once the stream has begun: from then on it, not an error response, answers the request. */
interface OpenedStream {
  session?: StreamSession;
}

/** Answers a request when it is for this endpoint; returns false to let the next handler have it. */
export type RequestListener = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * `GET /api/events/stream` (and `/api/sse` when asked for an event stream), answered from the HTTP server's request listener,
 * before Express. Every desk opens one and reopens it after each network blip, sleep and
 * restart; through Express each opening allocated ~35 KB (router, parsers) that the garbage
 * collector then had to find, while a stream needs none of that middleware: it authenticates
 * itself, logs its own opening and closing, and carries no document headers.
 */
export function createEventStreamEndpoint(ctx: ServerContext, hub: EventHub): RequestListener {
  const { config, metrics, logger, sessions } = ctx;
  const history = new EventHistory(ctx.redis, { historyLength: ctx.config.eventHistoryLength, historyTtlSeconds: ctx.config.eventHistoryTtlSeconds, keys: ctx.publisher.keys });
  const retryAfter = { 'Retry-After': String(Math.ceil(config.sseRetryMs / 1000)) };
  let warnedAttached = false;

  async function openStream(req: IncomingMessage, res: ServerResponse, query: string, opened: OpenedStream): Promise<void> {
    const token = sessionTokenFrom(req);
    const signedIn = token ? sessions.sessionFor(token) : null;
    if (!signedIn) throw new HttpError(401, 'unauthorized', 'sign in first');
    const { user } = signedIn;
    const params = new URLSearchParams(query);
    const since = requestedLastEventId(req, params);
    // The original system's client resumes by timestamp; an id, when it sends one, wins.
    const sinceTimestamp = since === null ? requestedSinceTimestamp(params) : null;
    if (req.method === 'HEAD') {
      res.writeHead(200, STREAM_RESPONSE_HEADERS).end();
      return;
    }
    if (hub.streamCountFor(user.id) >= config.maxStreamsPerUser) {
      metrics.streamsRejected.inc();
      throw new HttpError(429, 'too_many_streams', `at most ${config.maxStreamsPerUser} open streams per user`, retryAfter);
    }

    const owner = { userId: user.id, sessionId: signedIn.id, expiresAtMs: Date.parse(signedIn.expiresAt) };
    const session = new StreamSession(owner, since, config.streamMaxBufferedBytes, hub.unregister);
    const clientGone = (): void => session.close('client_gone');
    req.on('close', clientGone);
    const unavailable = () => new HttpError(503, 'unavailable', 'event delivery is unavailable, retry shortly', retryAfter);
    // Subscribe first, then read history: an event published in between is both held live and
    // in the snapshot, and the session writes it once. The other order could miss it.
    let snapshot;
    try {
      await hub.register(session);
      snapshot = sinceTimestamp === null ? await history.snapshot(user.id, since) : await history.snapshotSinceTimestamp(user.id, sinceTimestamp);
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
    session.begin(socket, config.sseRetryMs, corsHeadersFor(config.corsOrigins, req.headers.origin), req.httpVersion !== '1.0');
    opened.session = session;
    if (!detached && !warnedAttached) {
      warnedAttached = true;
      logger.warn(
        { node: process.version },
        'event streams stay attached to the HTTP server on this Node version: about 6 KB more memory per open stream',
      );
    }

    if (snapshot.status !== 'complete') {
      // The client must reload over REST; the stream then continues from `lastEventId`.
      const continueFrom = snapshot.continueFrom ?? 0;
      const resync: ResyncControl = {
        type: 'resync',
        reason: snapshot.status === 'unknown_id' ? 'unknown_id' : 'history_expired',
        lastEventId: continueFrom,
      };
      session.resetPosition(continueFrom);
      session.writeRaw(formatSseFrame({ id: continueFrom, event: 'resync', data: JSON.stringify(resync) }));
      metrics.resyncs.inc();
    }

    await session.replay(snapshot.replay);
    // Resumed by timestamp, the client has had every event up to the newest that it was not
    // replayed; a live event among them that arrived during the replay is not sent again.
    if (sinceTimestamp !== null) session.resetPosition(Math.max(session.lastId, snapshot.newestId));
    const replayed = snapshot.replay.count;
    metrics.eventsReplayed.inc(replayed);
    metrics.eventsDelivered.inc(session.goLive());
    const ready: ReadyControl = { type: 'ready', lastEventId: Math.max(snapshot.newestId, session.lastId) };
    session.writeRaw(formatSseFrame({ event: 'ready', data: JSON.stringify(ready) }));
    logger.info({ userId: user.id, lastEventId: since, replayed, resync: snapshot.status !== 'complete' }, 'event stream opened');
  }

  return (req, res) => {
    const url = req.url ?? '';
    const queryStart = url.indexOf('?');
    const path = queryStart === -1 ? url : url.slice(0, queryStart);
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    if (path !== STREAM_PATH && !(path === ALIAS_PATH && (req.method === 'HEAD' || acceptsEventStream(req)))) return false;
    const opened: OpenedStream = {};
    openStream(req, res, queryStart === -1 ? '' : url.slice(queryStart + 1), opened).catch((error: unknown) => {
      if (!(error instanceof HttpError)) logger.error({ err: error }, 'event stream failed');
      if (opened.session) {
        // The socket is the session's now: ending the stream makes the client resume exactly.
        opened.session.close('server_error');
        return;
      }
      if (res.headersSent) return;
      // A page allowed to open the stream from another origin may also read why it could not.
      for (const [name, value] of Object.entries(corsHeadersFor(config.corsOrigins, req.headers.origin))) res.setHeader(name, value);
      sendHttpError(res, error instanceof HttpError ? error : new HttpError(500, 'internal', 'internal server error'));
    });
    return true;
  };
}

/** Whether the Accept header names `text/event-stream` (with a quality above 0). */
function acceptsEventStream(req: IncomingMessage): boolean {
  const accept = req.headers.accept;
  if (!accept) return false;
  return accept.split(',').some((range) => {
    const [type, ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    if (type !== 'text/event-stream') return false;
    const quality = parameters.find((parameter) => parameter.startsWith('q='));
    return quality === undefined || Number(quality.slice(2)) > 0;
  });
}

function requestedLastEventId(req: IncomingMessage, params: URLSearchParams): number | null {
  const header = req.headers['last-event-id'];
  const raw = typeof header === 'string' ? header : params.get('lastEventId');
  if (raw === null || raw === '') return null;
  const parsed = lastEventIdHeader.safeParse(raw.trim());
  if (!parsed.success) throw new HttpError(400, 'bad_request', 'Last-Event-ID must be a non-negative integer');
  return parsed.data;
}

/** `?since=<timestamp>` as the original system's client sends it; empty means "everything". */
function requestedSinceTimestamp(params: URLSearchParams): string | null {
  const raw = params.get('since');
  if (raw === null || raw === '') return null;
  const parsed = sinceTimestampParam.safeParse(raw);
  if (!parsed.success) throw new HttpError(400, 'bad_request', 'since must be the timestamp of an event');
  return parsed.data;
}
