import type { RequestHandler } from 'express';
import { ipKeyGenerator, type Options } from 'express-rate-limit';
import type { RedisClient } from '../redis-client.js';
import type { Logger } from 'pino';
import type { ApiErrorBody } from '../../common/api.js';
import type { Config } from '../config.js';
import { sharedRateLimit } from '../http/rate-limit.js';

type ThrottleConfig = Pick<
  Config,
  'loginMaxFailures' | 'loginMaxFailuresPerIp' | 'loginThrottleWindowSeconds'
>;

/**
 * Counts failed sign-ins per username and per client address, in Redis so every server process
 * shares the counts; a successful sign-in takes its own attempt back off the count. Once over
 * the limit every attempt gets 429 with Retry-After until the window passes, even with the right
 * password, so guessing stays slow. While Redis is unreachable sign-in still works and stays
 * throttled, each process counting on its own.
 */
export function loginThrottles(
  redis: RedisClient,
  config: ThrottleConfig,
  logger: Logger,
): RequestHandler[] {
  const options: Partial<Options> = {
    windowMs: config.loginThrottleWindowSeconds * 1000,
    skipSuccessfulRequests: true,
    standardHeaders: 'draft-6',
    legacyHeaders: false,
    handler: (_req, res, _next, limiterOptions) => {
      const body: ApiErrorBody = {
        error: {
          code: 'too_many_requests',
          message: 'too many failed sign-in attempts; try again later',
        },
      };
      res.status(limiterOptions.statusCode).json(body);
    },
  };
  const byUsername = sharedRateLimit(
    { redis, prefix: 'clinicpulse:throttle:login-user:', logger },
    {
      ...options,
      limit: config.loginMaxFailures,
      keyGenerator: (req) => usernameOf(req.body)?.trim().toLowerCase().slice(0, 64) ?? '',
      // Without a username the request fails validation and counts against nobody's account.
      skip: (req) => usernameOf(req.body) === undefined,
    },
  );
  const byAddress = sharedRateLimit(
    { redis, prefix: 'clinicpulse:throttle:login-ip:', logger },
    {
      ...options,
      limit: config.loginMaxFailuresPerIp,
      keyGenerator: (req) => ipKeyGenerator(req.ip ?? 'unknown'),
    },
  );
  return [byAddress, byUsername];
}

function usernameOf(body: unknown): string | undefined {
  const username = (body as { username?: unknown } | undefined)?.username;
  return typeof username === 'string' ? username : undefined;
}
