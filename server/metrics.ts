import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';

/** One registry per server instance, so several instances can live in one test process. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'clinicpulse_' });
  const registers = [registry];
  return {
    registry,
    openStreams: new Gauge({ name: 'clinicpulse_open_streams', help: 'Event streams open on this process', registers }),
    eventsPublished: new Counter({
      name: 'clinicpulse_events_published_total',
      help: 'Events published to a user (one per user per event)',
      labelNames: ['type'] as const,
      registers,
    }),
    eventsDelivered: new Counter({
      name: 'clinicpulse_events_delivered_total',
      help: 'Live events written to open streams',
      registers,
    }),
    eventsReplayed: new Counter({
      name: 'clinicpulse_events_replayed_total',
      help: 'Events replayed from history to reconnecting streams',
      registers,
    }),
    resyncs: new Counter({ name: 'clinicpulse_resyncs_total', help: 'Streams told to resync', registers }),
    slowClientsClosed: new Counter({
      name: 'clinicpulse_slow_clients_closed_total',
      help: 'Streams closed because the client stopped reading',
      registers,
    }),
    streamsRejected: new Counter({
      name: 'clinicpulse_streams_rejected_total',
      help: 'Stream requests refused for exceeding the per-user limit',
      registers,
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
