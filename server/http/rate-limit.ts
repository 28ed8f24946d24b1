import type { Request, RequestHandler, Response } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import type { User } from '../../common/api.js';
import type { ServerContext } from '../context.js';
import { HttpError } from './errors.js';
import { isRedisUnavailable, noteRedisFailure, redisUsable } from '../redis-unavailable.js';
import { RedisRateLimitCounter } from './rate-limit-counter.js';

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

export interface RateLimitCounter {
  redis: RedisClient;
  /** Key prefix of the counts in Redis. */
  prefix: string;
  logger: Logger;
}

/**
 * A rate limit counted in Redis, so that every server process shares one count. While Redis is
 * unreachable or stalled each process counts on its own instead (from zero), so an outage never
 * lifts the limit and never holds a request for long: requests still work, and are still
 * limited, only less exactly.
 */
export function sharedRateLimit(counter: RateLimitCounter, options: Partial<Options>): RequestHandler {
  const { redis, prefix, logger } = counter;
  const skipAlso = options.skip ?? (() => false);
  // Where each request is counted: decided once, so it is counted in exactly one place.
  const countedIn = new WeakMap<object, 'redis' | 'process'>();
  const shared = {
    ...options,
    logger: {
      error: (error: unknown, message?: string) => logger.warn({ err: errorMessage(error) }, `rate limit ${prefix}: ${message ?? 'store error'}`),
      warn: (error: unknown, message?: string) => logger.warn({ err: errorMessage(error) }, `rate limit ${prefix}: ${message ?? 'warning'}`),
    },
  } satisfies Partial<Options>;
  const inRedis = rateLimit({
    ...shared,
    passOnStoreError: false,
    store: new RedisRateLimitCounter(redis, hashTagged(prefix)),
    skip: async (req, res) => countedIn.get(req) !== 'redis' || (await skipAlso(req, res)),
  });
  const inProcess = rateLimit({
    ...shared,
    skip: async (req, res) => countedIn.get(req) === 'redis' || (await skipAlso(req, res)),
  });
  return (req, res, next) => {
    countedIn.set(req, redisUsable(redis) ? 'redis' : 'process');
    void inRedis(req, res, (error?: unknown) => {
      if (error !== undefined) {
        if (!isRedisUnavailable(error)) return next(error);
        noteRedisFailure(redis);
        logger.warn({ err: errorMessage(error) }, `rate limit ${prefix}: Redis unavailable, counting in this process`);
        countedIn.set(req, 'process');
      }
      void inProcess(req, res, next);
    });
  };
}

/**
 * `setting.limit` requests per window per user (per client address before sign-in). Over the
 * limit: 429 `too_many_requests` with `Retry-After`, answered by the error handler, so that a
 * request answered before Express (passRateLimit) gets the same answer.
 */
export function redisRateLimit(ctx: ServerContext, name: string, setting: RateLimitSetting, what: string): RequestHandler {
  return sharedRateLimit(
    { redis: ctx.redis, prefix: `clinicpulse:ratelimit:${name}:`, logger: ctx.logger },
    {
      windowMs: setting.windowSeconds * 1000,
      limit: setting.limit,
      standardHeaders: 'draft-6',
      legacyHeaders: false,
      keyGenerator: (req, res) => {
        const user = res.locals.user as User | undefined;
        return user ? `user:${user.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
      },
      handler: (_req, _res, next, options) => {
        next(new HttpError(options.statusCode, 'too_many_requests', `too many ${what}; try again in a moment`));
      },
    },
  );
}

const messageLimits = new WeakMap<ServerContext, RequestHandler>();

/**
 * Sending messages: `MESSAGE_RATE_LIMIT` per `MESSAGE_RATE_WINDOW_SECONDS` per user. One limiter
 * per server, shared by the route and the endpoint before Express, so that a user's sends are one
 * count also while Redis is away and each process counts on its own.
 */
export function messageRateLimit(ctx: ServerContext): RequestHandler {
  let limiter = messageLimits.get(ctx);
  if (!limiter) {
    limiter = redisRateLimit(ctx, 'messages', ctx.config.messageRateLimit, 'messages');
    messageLimits.set(ctx, limiter);
  }
  return limiter;
}

/**
 * Counts a signed-in user's request answered before Express (http/bare-json-endpoint.ts):
 * resolves when the limiter lets it through, with its `RateLimit-*` headers set on `res`;
 * rejects with the 429 (`Retry-After` set) or with what the count failed on. express-rate-limit
 * uses only the headers, `setHeader` and our own key and handler, which read the user from
 * `res.locals` as on an Express answer.
 */
export function passRateLimit(limiter: RequestHandler, user: User, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const answer = Object.assign(res, { locals: { user } });
  return new Promise((resolve, reject) => {
    void limiter(req as Request, answer as unknown as Response, (error?: unknown) => (error === undefined ? resolve() : reject(error)));
  });
}

/** Starting conversations: `CONVERSATION_RATE_LIMIT` per `CONVERSATION_RATE_WINDOW_SECONDS` per user. */
export function conversationRateLimit(ctx: ServerContext): RequestHandler {
  return redisRateLimit(ctx, 'conversations', ctx.config.conversationRateLimit, 'new conversations');
}

/** Creating appointments: `APPOINTMENT_RATE_LIMIT` per `APPOINTMENT_RATE_WINDOW_SECONDS` per user. */
export function appointmentRateLimit(ctx: ServerContext): RequestHandler {
  return redisRateLimit(ctx, 'appointments', ctx.config.appointmentRateLimit, 'appointments');
}

/** The test endpoints: `TEST_ENDPOINT_RATE_LIMIT` per `TEST_ENDPOINT_RATE_WINDOW_SECONDS` per user. */
export function testEndpointRateLimit(ctx: ServerContext): RequestHandler {
  return redisRateLimit(ctx, 'test-events', ctx.config.testEndpointRateLimit, 'test events');
}

/**
 * `a:b:name:` → `a:b:{name}:`: every key of one limiter in one Redis Cluster slot, so that the
 * counter can send a turn's increments as one script; the keys still start with the prefix's
 * first parts.
 */
export function hashTagged(prefix: string): string {
  const tagged = prefix.replace(/([^:{}]+):$/, '{$1}:');
  if (tagged === prefix) throw new Error(`rate limit prefix "${prefix}" must end with a name and a colon`);
  return tagged;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
