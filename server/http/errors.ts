import type { ErrorRequestHandler } from 'express';
import type { ServerResponse } from 'node:http';
import { ZodError, type ZodType } from 'zod';
import type { ApiErrorBody, ApiErrorCode } from '../../common/api.js';
import { isDatabaseUnavailable } from '../db/database-unavailable.js';
import { isRedisUnavailable } from '../redis-unavailable.js';

/** An error that becomes a 4xx/5xx JSON answer `{ error: { code, message } }`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = 'HttpError';
  }
}

/** Works on a bare ServerResponse as well as Express's, for handlers that run before Express. */
export function sendError(res: ServerResponse, status: number, code: ApiErrorCode, message: string): void {
  const body: ApiErrorBody = { error: { code, message } };
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.end(JSON.stringify(body));
}

export function sendHttpError(res: ServerResponse, error: HttpError): void {
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  sendError(res, error.status, error.code, error.message);
}

/** Says which field was wrong and how, in one line a person can act on. */
export function describeZodError(error: ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses untrusted input or throws a 400 that names the bad fields. */
export function parseInput<T>(schema: ZodType<T>, input: unknown, what = 'request'): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new HttpError(400, 'validation_failed', `invalid ${what}: ${describeZodError(result.error)}`);
  }
  return result.data;
}

interface BodyParserError {
  type?: string;
  status?: number;
  expose?: boolean;
}

/** The last middleware: every error leaves as JSON, never as a stack trace. */
export function errorHandler(log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void }): ErrorRequestHandler {
  return (error: unknown, _req, res, next) => {
    if (res.headersSent) {
      next(error);
      return;
    }
    if (error instanceof HttpError) {
      sendHttpError(res, error);
      return;
    }
    if (error instanceof ZodError) {
      sendError(res, 400, 'validation_failed', describeZodError(error));
      return;
    }
    if (isRedisUnavailable(error)) {
      log.warn({ err: (error as Error).message }, 'Redis unavailable');
      sendHttpError(res, new HttpError(503, 'unavailable', 'the server cannot reach Redis; retry shortly', { 'Retry-After': '5' }));
      return;
    }
    if (isDatabaseUnavailable(error)) {
      log.warn({ err: (error as Error).message }, 'database unavailable');
      sendHttpError(res, new HttpError(503, 'unavailable', 'the database is unavailable, retry shortly', { 'Retry-After': '5' }));
      return;
    }
    const parserError = error as BodyParserError;
    if (parserError?.type === 'entity.parse.failed') {
      sendError(res, 400, 'invalid_json', 'request body is not valid JSON');
      return;
    }
    if (parserError?.type === 'entity.too.large') {
      sendError(res, 413, 'payload_too_large', 'request body is too large');
      return;
    }
    if (parserError?.expose && parserError.status && parserError.status < 500) {
      sendError(res, parserError.status, 'bad_request', String((error as Error).message));
      return;
    }
    log.error({ err: error }, 'unhandled error');
    sendError(res, 500, 'internal', 'internal server error');
  };
}
