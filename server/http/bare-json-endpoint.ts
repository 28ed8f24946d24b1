import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { User } from '../../common/api.js';
import { sessionTokenFrom } from '../auth/authenticate.js';
import { crossSiteCookieHeaders, crossSiteRefused, ridesOnSessionCookie } from '../auth/same-origin-check.js';
import type { ServerContext } from '../context.js';
import type { RequestListener } from '../events/event-stream-endpoint.js';
import { corsHeadersFor } from './cors.js';
import { errorHandler, HttpError } from './errors.js';

/** What express.json() takes at most, for every route. */
const BODY_LIMIT_BYTES = 64 * 1024;

/**
 * Headers of every answer: those of the API's (no-store, as every /api answer) and helmet's
 * that mean something for a JSON answer read by `fetch`.
 */
const ANSWER_HEADERS = {
  'Content-Type': 'application/json; charset=utf-8',
  'Cache-Control': 'no-store',
  'X-Content-Type-Options': 'nosniff',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'SAMEORIGIN',
} as const;

export interface BareJsonAnswer {
  status: number;
  body: unknown;
}

export interface BareJsonRoute<Params> {
  method: 'POST';
  /** The path's parameters when this endpoint answers the URL; null leaves the request to Express. */
  match(url: string): Params | null;
  /**
   * Answers a signed-in user's request with a JSON object or array for a body; throws what the
   * error handler turns into an answer (HttpError, zod, Redis or the database unavailable).
   * Headers set on `res` beforehand (a rate limit's) go out with the answer.
   */
  handle(user: User, body: object, params: Params, req: IncomingMessage, res: ServerResponse): Promise<BareJsonAnswer>;
  /** Runs a read request's judging; at once unless the route gives way to other work. */
  schedule?: (job: () => void) => void;
}

/**
 * One JSON API request answered from the HTTP server's request listener before Express, as the
 * event stream is (events/event-stream-endpoint.ts), for the few requests that come by the
 * thousand: through Express each one pays for the router's walk past twenty routers, the body
 * parser, helmet's headers and the middlewares' closures — about as much server CPU as a
 * receipt report itself, and a quarter of a sent message's (bench/RESULTS.md). The same rules
 * apply here, in Express's order: a JSON body of at most 64 kB, the cross-site check for cookie
 * sessions, the session, CORS headers for the allowed origins, `no-store`, the request log
 * line, and errors as the error handler answers them. A request this path cannot judge alone —
 * another method or URL, a body that is not plain UTF-8 JSON, or a cookie session from a
 * browser that sends no `Sec-Fetch-Site` (the origin check needs Express's idea of our own
 * address) — goes on to Express, whose route must answer it the same way.
 */
export function bareJsonEndpoint<Params>(ctx: ServerContext, route: BareJsonRoute<Params>): RequestListener {
  const { config, logger, sessions } = ctx;
  const answerError = errorHandler(logger);
  const schedule = route.schedule ?? ((job: () => void) => job());

  const finish = (req: IncomingMessage, res: ServerResponse, started: number): void => {
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      { req: { method: req.method, url: req.url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) },
      'request completed',
    );
  };

  const answer = (req: IncomingMessage, res: ServerResponse, started: number, { status, body }: BareJsonAnswer, cors: Record<string, string>): void => {
    res.writeHead(status, { ...ANSWER_HEADERS, ...cors });
    res.end(JSON.stringify(body));
    finish(req, res, started);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, started: number, error: unknown, cors: Record<string, string>): void => {
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(ANSWER_HEADERS)) res.setHeader(name, value);
    // The error handler writes with the bare ServerResponse methods alone; `next` is for an
    // answer already begun, which cannot happen here: each request is answered once.
    answerError(error, req as unknown as Request, res as unknown as Response, (() => res.destroy()) as NextFunction);
    finish(req, res, started);
  };

  const judge = (req: IncomingMessage, res: ServerResponse, text: string, params: Params, started: number, cors: Record<string, string>): void => {
    let body: unknown;
    try {
      body = text.length === 0 ? {} : JSON.parse(text);
    } catch {
      body = undefined;
    }
    // express.json() is strict: only an object or an array is a JSON body.
    if (body === null || typeof body !== 'object') {
      fail(req, res, started, new HttpError(400, 'invalid_json', 'request body is not valid JSON'), cors);
      return;
    }
    if (crossSiteCookieHeaders(req.headers, config.corsOrigins, ownOriginUnknown)) {
      fail(req, res, started, crossSiteRefused(), cors);
      return;
    }
    const token = sessionTokenFrom(req);
    let user;
    try {
      user = token ? sessions.userFor(token) : null;
    } catch (error) {
      fail(req, res, started, error, cors);
      return;
    }
    if (!user) {
      fail(req, res, started, new HttpError(401, 'unauthorized', 'sign in first'), cors);
      return;
    }
    route.handle(user, body, params, req, res).then(
      (result) => answer(req, res, started, result, cors),
      (error: unknown) => fail(req, res, started, error, cors),
    );
  };

  return (req, res) => {
    if (req.method !== route.method || req.url === undefined || !plainJsonBody(req) || needsOriginCheck(req)) return false;
    const params = route.match(req.url);
    if (params === null) return false;
    const started = performance.now();
    const cors = corsHeadersFor(config.corsOrigins, req.headers.origin);
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > BODY_LIMIT_BYTES) {
      fail(req, res, started, new HttpError(413, 'payload_too_large', 'request body is too large'), cors);
      req.resume();
      return true;
    }
    req.on('error', () => res.destroy());
    const chunks: Buffer[] = [];
    let received = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      received += chunk.length;
      if (received > BODY_LIMIT_BYTES) {
        tooLarge = true;
        fail(req, res, started, new HttpError(413, 'payload_too_large', 'request body is too large'), cors);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (tooLarge) return;
      const body = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
      schedule(() => judge(req, res, body.toString('utf8'), params, started, cors));
    });
    return true;
  };
}

/** The URL's path when it is exactly `path`, with or without a query; what Express's strict routing would also match. */
export function isExactPath(url: string, path: string): boolean {
  if (!url.startsWith(path)) return false;
  return url.length === path.length || url[path.length] === '?';
}

/** `application/json`, UTF-8, not compressed: what this path reads; anything else Express's parser judges. */
function plainJsonBody(req: IncomingMessage): boolean {
  const encoding = req.headers['content-encoding'];
  if (encoding !== undefined && encoding.toLowerCase() !== 'identity') return false;
  const [type, ...params] = (req.headers['content-type'] ?? '').toLowerCase().split(';');
  if (type?.trim() !== 'application/json') return false;
  return params.every((param) => {
    const [name, value] = param.split('=').map((part) => part.trim());
    return name !== 'charset' || value === 'utf-8' || value === '"utf-8"';
  });
}

/** A cookie session without `Sec-Fetch-Site`: whether it is cross-site depends on our own origin, which Express knows. */
function needsOriginCheck(req: IncomingMessage): boolean {
  return ridesOnSessionCookie(req.headers) && req.headers['sec-fetch-site'] === undefined && req.headers.origin !== undefined;
}

/**
 * Not asked in practice: the requests whose answer depends on our own origin go on to Express
 * (needsOriginCheck). Were one asked, no origin equals '' and it would be refused.
 */
function ownOriginUnknown(): string {
  return '';
}
