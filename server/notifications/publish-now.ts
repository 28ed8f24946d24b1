import type { ServerContext } from '../context.js';
import { HttpError } from '../http/errors.js';
import { isRedisUnavailable, noteRedisFailure, redisUsable } from '../redis-unavailable.js';

/**
 * Runs a publish that has no outbox behind it (the caller is waiting for the event's id): when
 * Redis cannot take it, the client gets 503 with Retry-After and can simply try again.
 */
export async function publishNow<T>(ctx: ServerContext, publish: () => Promise<T>): Promise<T> {
  if (!redisUsable(ctx.redis)) throw redisUnavailable();
  try {
    return await publish();
  } catch (error) {
    if (isRedisUnavailable(error)) noteRedisFailure(ctx.redis);
    ctx.logger.warn({ err: (error as Error).message }, 'publish failed');
    throw redisUnavailable();
  }
}

/** 503 with Retry-After: event delivery cannot take this now. */
export function redisUnavailable(): HttpError {
  return new HttpError(503, 'unavailable', 'event delivery is unavailable, retry shortly', { 'Retry-After': '5' });
}
