import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { ApiErrorBody, User } from '../../common/api.js';
import type { ServerContext } from '../context.js';

export interface RateLimitSetting {
  limit: number;
  windowSeconds: number;
}

/**
 * A limiter counting in Redis, so every server process shares one count per user (per client
 * address before sign-in). Over the limit: 429 `too_many_requests` with `Retry-After`. While
 * Redis is unreachable requests pass unlimited: a message must still reach the outbox then.
 */
export function redisRateLimit(ctx: ServerContext, name: string, setting: RateLimitSetting, what: string): RequestHandler {
  return rateLimit({
    windowMs: setting.windowSeconds * 1000,
    limit: setting.limit,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    passOnStoreError: true,
    store: redisStore(ctx.redis, `clinicpulse:ratelimit:${name}:`),
    // Without this, each request would first wait for a command that cannot succeed.
    skip: () => ctx.redis.status !== 'ready',
    keyGenerator: (req, res) => {
      const user = res.locals.user as User | undefined;
      return user ? `user:${user.id}` : `ip:${ipKeyGenerator(req.ip ?? 'unknown')}`;
    },
    handler: (_req, res, _next, options) => {
      const body: ApiErrorBody = { error: { code: 'too_many_requests', message: `too many ${what}; try again in a moment` } };
      res.status(options.statusCode).json(body);
    },
  });
}

/** Sending messages: `MESSAGE_RATE_LIMIT` per `MESSAGE_RATE_WINDOW_SECONDS` per user. */
export function messageRateLimit(ctx: ServerContext): RequestHandler {
  return redisRateLimit(ctx, 'messages', ctx.config.messageRateLimit, 'messages');
}

/** The test endpoints: `TEST_ENDPOINT_RATE_LIMIT` per `TEST_ENDPOINT_RATE_WINDOW_SECONDS` per user. */
export function testEndpointRateLimit(ctx: ServerContext): RequestHandler {
  return redisRateLimit(ctx, 'test-events', ctx.config.testEndpointRateLimit, 'test events');
}

function redisStore(redis: Redis, prefix: string): RedisStore {
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
  });
  // The store loads its scripts at construction and again on first use; when Redis is down at
  // construction nobody would be listening to those first promises.
  store.incrementScriptSha.catch(() => undefined);
  store.getScriptSha.catch(() => undefined);
  return store;
}
