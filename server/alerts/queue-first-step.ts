import type { ServerContext } from '../context.js';
import { redisUsable } from '../redis-unavailable.js';
import { EscalationQueue, type DueStep } from './escalation-queue.js';

const queues = new WeakMap<ServerContext, EscalationQueue>();

/**
 * Puts a new urgent alert's first step in the Redis queue at once. SQLite already holds it, so
 * when Redis cannot take it now the scheduler's next seed does: the send still succeeds.
 */
export async function queueFirstStep(ctx: ServerContext, step: DueStep): Promise<void> {
  try {
    if (!redisUsable(ctx.redis)) throw new Error(`Redis connection is ${ctx.redis.status}`);
    let queue = queues.get(ctx);
    if (!queue) queues.set(ctx, (queue = new EscalationQueue(ctx.redis)));
    await queue.schedule(step);
  } catch (error) {
    ctx.logger.warn({ err: (error as Error).message, alertId: step.alertId }, 'escalation not queued yet: Redis unreachable');
  }
}
