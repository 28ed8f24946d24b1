import type { ServerContext } from '../context.js';
import { withTimeout } from '../with-timeout.js';

const READINESS_TIMEOUT_MS = 1_000;

export interface Readiness {
  ready: boolean;
  /** `ok`, or what went wrong, per dependency. */
  checks: { redis: string; database: string; events: string };
}

/** What readiness asks of the event hub. */
export interface EventDeliveryState {
  isLive(): boolean;
}

/**
 * Whether Redis answers PING and the database a query, each within a second, and whether this
 * process can open event streams (its subscriber is ready: a load balancer sends no desk here
 * before then): `/readyz` and the admin's health page.
 */
export async function readiness(ctx: ServerContext, hub: EventDeliveryState): Promise<Readiness> {
  const [redis, database] = await Promise.all([
    check(async () => {
      const reply = await withTimeout(ctx.redis.ping(), READINESS_TIMEOUT_MS);
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
    }),
    check(async () => {
      ctx.db.prepare('SELECT 1 FROM schema_migrations LIMIT 1').get();
    }),
  ]);
  const events = hub.isLive() ? 'ok' : 'the Redis subscriber is not ready';
  return { ready: redis === 'ok' && database === 'ok' && events === 'ok', checks: { redis, database, events } };
}

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await probe();
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'failed';
  }
}
