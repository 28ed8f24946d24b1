import { Gauge } from 'prom-client';
import type { ServerContext } from './context.js';

/**
 * Gauges read at scrape time about the platform around the event streams: whether Redis is
 * connected, and how many notifications wait in the outbox for Redis to come back.
 */
export function registerPlatformMetrics(ctx: ServerContext): void {
  const registers = [ctx.metrics.registry];
  const countOutbox = ctx.db.prepare<[], { n: number }>('SELECT count(*) AS n FROM outbox');
  new Gauge({
    name: 'clinicpulse_redis_connected',
    help: '1 when the command connection to Redis is ready, else 0',
    registers,
    collect() {
      this.set(ctx.redis.status === 'ready' ? 1 : 0);
    },
  });
  new Gauge({
    name: 'clinicpulse_outbox_pending',
    help: 'Notifications saved but not yet published to Redis',
    registers,
    collect() {
      this.set(countOutbox.get()?.n ?? 0);
    },
  });
}
