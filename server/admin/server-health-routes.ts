import { Router } from 'express';
import type { ServerHealthResponse } from '../../common/api.js';
import { requireRole } from '../auth/authenticate.js';
import type { ServerContext } from '../context.js';
import { readiness, type EventDeliveryState } from '../health/readiness.js';

/** The sum of a metric's values (over its labels), as this process's registry holds it now. */
async function metricValue(ctx: ServerContext, name: string): Promise<number> {
  const metric = ctx.metrics.registry.getSingleMetric(name);
  if (!metric) return 0;
  const { values } = await metric.get();
  return values.reduce((sum, sample) => sum + sample.value, 0);
}

/**
 * `GET /api/admin/health`: what `/readyz` checks and the key `/metrics` figures of the process
 * that answers, for the admin console to put in words, and whether test endpoints are on.
 */
export function createServerHealthRoutes(ctx: ServerContext, hub: EventDeliveryState): Router {
  const router = Router();
  router.get('/admin/health', requireRole('admin'), async (_req, res) => {
    const [state, ...figures] = await Promise.all([
      readiness(ctx, hub),
      ...[
        'clinicpulse_open_streams',
        'clinicpulse_events_published_total',
        'clinicpulse_events_delivered_total',
        'clinicpulse_events_replayed_total',
        'clinicpulse_resyncs_total',
        'clinicpulse_slow_clients_closed_total',
        'clinicpulse_streams_rejected_total',
        'clinicpulse_outbox_pending',
        'clinicpulse_process_resident_memory_bytes',
      ].map((name) => metricValue(ctx, name)),
    ]);
    const [
      openStreams = 0,
      eventsPublished = 0,
      eventsDelivered = 0,
      eventsReplayed = 0,
      resyncs = 0,
      slowClientsClosed = 0,
      streamsRejected = 0,
      outboxPending = 0,
      residentMemoryBytes = 0,
    ] = figures;
    const body: ServerHealthResponse = {
      ready: state.ready,
      checks: state.checks,
      figures: {
        openStreams,
        eventsPublished,
        eventsDelivered,
        eventsReplayed,
        resyncs,
        slowClientsClosed,
        streamsRejected,
        outboxPending,
        uptimeSeconds: Math.round(process.uptime()),
        residentMemoryBytes: residentMemoryBytes || process.memoryUsage.rss(),
      },
      testEndpoints: ctx.config.testEndpoints,
      checkedAt: new Date().toISOString(),
    };
    res.json(body);
  });
  return router;
}
