import type { NextFunction, Request, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { receiptReport, type ReceiptReportResponse } from '../../common/alerts.js';
import { sessionTokenFrom } from '../auth/authenticate.js';
import { crossSiteCookieHeaders, crossSiteRefused, ridesOnSessionCookie } from '../auth/same-origin-check.js';
import type { ServerContext } from '../context.js';
import type { RequestListener } from '../events/event-stream-endpoint.js';
import { corsHeadersFor } from '../http/cors.js';
import { AfterIoQueue } from '../http/after-io-queue.js';
import { errorHandler, HttpError, parseInput } from '../http/errors.js';
import { alertStatusPublisherFor } from './alert-status-publisher.js';
import { receiptPacingFor } from './receipt-pacing.js';
import { ReceiptWriter } from './receipt-writer.js';

export const RECEIPTS_PATH = '/api/alerts/receipts';

/**
 * How long reports are read and judged per turn of the event loop before streams' events and
 * Redis replies get theirs: a report is bookkeeping, the events it reports on are not.
 */
const REPORTS_SLICE_MS = 2;

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

const writers = new WeakMap<ServerContext, ReceiptWriter>();

/** The context's one receipt writer, so every report of the process joins the same group commit. */
function receiptWriterFor(ctx: ServerContext): ReceiptWriter {
  let writer = writers.get(ctx);
  if (!writer) {
    writer = new ReceiptWriter(ctx.db);
    writers.set(ctx, writer);
  }
  return writer;
}

/** Records a desk's report for the signed-in user and tells the senders; throws HttpError (400, 404). */
export async function recordReceiptReport(ctx: ServerContext, userId: number, body: unknown): Promise<ReceiptReportResponse> {
  const report = parseInput(receiptReport, body, 'receipt report');
  const result = await receiptWriterFor(ctx).record({ userId, desk: report.desk, receipts: report.receipts });
  alertStatusPublisherFor(ctx).touch(result.alertIds);
  return { recorded: result.recorded, nextReportInMs: receiptPacingFor(ctx).spacingAfterReport(`${userId}:${report.desk.id}`) };
}

/**
 * `POST /api/alerts/receipts`, answered from the HTTP server's request listener before Express,
 * as the event stream is (events/event-stream-endpoint.ts). Every desk reports every event it
 * receives, in batches of 300–500 ms: at one event a second per desk that is one request per
 * event, the API's busiest request by far (5,000 a second in bench scenario 9 before the server
 * spaced them out, receipt-pacing.ts). Through Express each one paid for helmet's eleven
 * middlewares, the request logger's child logger, the router's walk past twenty routers and the
 * body parser: about twice the server CPU of the report itself. The same rules apply here, in Express's order: a JSON body of at most 64 kB,
 * the cross-site check for cookie sessions, the session, the zod check, CORS headers for the
 * allowed origins, `no-store`, the request log line, and errors as the error handler answers
 * them. A request this path cannot judge alone — another method, a body that is not plain
 * UTF-8 JSON, or a cookie session from a browser that sends no `Sec-Fetch-Site` (the origin
 * check needs Express's idea of our own address) — goes on to Express, whose route
 * (alert-routes.ts) records it the same way.
 */
export function createReceiptsEndpoint(ctx: ServerContext): RequestListener {
  const { config, logger, sessions } = ctx;
  const answerError = errorHandler(logger);
  const reports = new AfterIoQueue(REPORTS_SLICE_MS, (error) => logger.error({ err: error }, 'receipt report not handled'));

  const finish = (req: IncomingMessage, res: ServerResponse, started: number): void => {
    const level = res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info';
    if (!logger.isLevelEnabled(level)) return;
    logger[level](
      { req: { method: req.method, url: req.url }, res: { statusCode: res.statusCode }, responseTime: Math.round(performance.now() - started) },
      'request completed',
    );
  };

  const answer = (req: IncomingMessage, res: ServerResponse, started: number, status: number, body: unknown, cors: Record<string, string>): void => {
    res.writeHead(status, { ...ANSWER_HEADERS, ...cors });
    res.end(JSON.stringify(body));
    finish(req, res, started);
  };

  const fail = (req: IncomingMessage, res: ServerResponse, started: number, error: unknown, cors: Record<string, string>): void => {
    for (const [name, value] of Object.entries(cors)) res.setHeader(name, value);
    for (const [name, value] of Object.entries(ANSWER_HEADERS)) res.setHeader(name, value);
    // The error handler writes with the bare ServerResponse methods alone; `next` is for an
    // answer already begun, which cannot happen here.
    answerError(error, req as unknown as Request, res as unknown as Response, (() => res.destroy()) as NextFunction);
    finish(req, res, started);
  };

  const read = (req: IncomingMessage, res: ServerResponse, text: string, started: number, cors: Record<string, string>): void => {
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
    recordReceiptReport(ctx, user.id, body).then(
      (result) => answer(req, res, started, 200, result, cors),
      (error: unknown) => fail(req, res, started, error, cors),
    );
  };

  return (req, res) => {
    if (req.method !== 'POST' || !isReceiptsUrl(req.url) || !plainJsonBody(req) || needsOriginCheck(req)) return false;
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
      reports.push(() => read(req, res, body.toString('utf8'), started, cors));
    });
    return true;
  };
}

function isReceiptsUrl(url: string | undefined): boolean {
  if (!url?.startsWith(RECEIPTS_PATH)) return false;
  return url.length === RECEIPTS_PATH.length || url[RECEIPTS_PATH.length] === '?';
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
