import type { RequestHandler } from 'express';
import { ipKeyGenerator, rateLimit, type Options } from 'express-rate-limit';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { ApiErrorBody } from '../../common/api.js';
import type { Config } from '../config.js';

type ThrottleConfig = Pick<
  Config,
  'loginMaxFailures' | 'loginMaxFailuresPerIp' | 'loginThrottleWindowSeconds'
>;

/**
 * Counts failed sign-ins in Redis (shared by every server process), per username and per client
 * address; a successful sign-in takes its own attempt back off the count. Once over the limit
 * every attempt gets 429 with Retry-After until the window passes, even with the right password,
 * so guessing stays slow. When Redis is unreachable sign-in still works (scrypt keeps guessing
 * slow), rather than locking every desk out.
 */
export function loginThrottles(
  redis: Redis,
  config: ThrottleConfig,
  logger: Logger,
): RequestHandler[] {
  const windowMs = config.loginThrottleWindowSeconds * 1000;
  const common = (prefix: string): Partial<Options> => ({
    windowMs,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    passOnStoreError: true,
    // While Redis is known to be down, skip at once instead of waiting for a command to fail.
    skip: () => redis.status !== 'ready',
    logger: {
      error: (error, message) =>
        logger.warn({ err: errorMessage(error) }, `sign-in throttle: ${message ?? 'store error'}`),
      warn: (error, message) =>
        logger.warn({ err: errorMessage(error) }, `sign-in throttle: ${message ?? 'warning'}`),
    },
    store: redisStore(redis, prefix),
    handler: (_req, res, _next, options) => {
      const body: ApiErrorBody = {
        error: {
          code: 'too_many_requests',
          message: 'too many failed sign-in attempts; try again later',
        },
      };
      res.status(options.statusCode).json(body);
    },
  });
  const byUsername = rateLimit({
    ...common('clinicpulse:throttle:login-user:'),
    limit: config.loginMaxFailures,
    keyGenerator: (req) => {
      const body = req.body as { username?: unknown } | undefined;
      return typeof body?.username === 'string'
        ? body.username.trim().toLowerCase().slice(0, 64)
        : '';
    },
    // Without a username the request fails validation and counts against nobody's account.
    skip: (req) =>
      redis.status !== 'ready' ||
      typeof (req.body as { username?: unknown } | undefined)?.username !== 'string',
  });
  const byAddress = rateLimit({
    ...common('clinicpulse:throttle:login-ip:'),
    limit: config.loginMaxFailuresPerIp,
    keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
  });
  return [byAddress, byUsername];
}

function redisStore(redis: Redis, prefix: string): RedisStore {
  const store = new RedisStore({
    prefix,
    sendCommand: (command: string, ...args: string[]) =>
      redis.call(command, ...args) as Promise<RedisReply>,
  });
  // The store loads its scripts at construction; when Redis is down then, those promises reject
  // with nobody listening. The store reloads them on first use, so the early failure is harmless.
  store.incrementScriptSha.catch(() => undefined);
  store.getScriptSha.catch(() => undefined);
  return store;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
