import type { ServerHealthResponse } from '../../../common/api.js';

export interface HealthLine {
  label: string;
  text: string;
  /** Needs someone's attention. */
  problem: boolean;
}

function count(value: number, one: string, many: string): string {
  return `${value.toLocaleString()} ${value === 1 ? one : many}`;
}

/** "2 h 5 min", "3 days 4 h": how long the process has run. */
export function durationInWords(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const hours = Math.floor(minutes / 60);
  const days = Math.floor(hours / 24);
  if (days > 0) return `${count(days, 'day', 'days')} ${hours % 24} h`;
  if (hours > 0) return `${hours} h ${minutes % 60} min`;
  if (minutes > 0) return `${minutes} min`;
  return `${seconds} s`;
}

function checkInWords(name: string, result: string, consequence: string): HealthLine {
  return result === 'ok'
    ? { label: name, text: 'Answering.', problem: false }
    : { label: name, text: `Not answering (${result}). ${consequence}`, problem: true };
}

/**
 * The readiness checks and the key figures of `/metrics`, in sentences an IT admin can act on
 * without knowing Prometheus. Figures are those of the server process that answered.
 */
export function healthInWords(health: ServerHealthResponse): HealthLine[] {
  const { figures } = health;
  return [
    checkInWords(
      'Redis',
      health.checks.redis,
      'Live delivery has stopped; messages are saved and their notifications wait in the outbox.',
    ),
    checkInWords(
      'Live delivery',
      health.checks.events,
      'Desks cannot open their event streams on this server process and retry, or go to another one.',
    ),
    checkInWords(
      'Database',
      health.checks.database,
      'Nothing can be read or saved; check the disk and DATA_DIR.',
    ),
    {
      label: 'Waiting notifications',
      text:
        figures.outboxPending === 0
          ? 'None: every saved message has gone out.'
          : `${count(figures.outboxPending, 'notification waits', 'notifications wait')} for Redis to take ${figures.outboxPending === 1 ? 'it' : 'them'}.`,
      problem: figures.outboxPending > 0,
    },
    {
      label: 'Desks connected',
      text: `${count(figures.openStreams, 'event stream is', 'event streams are')} open on this server process.`,
      problem: false,
    },
    {
      label: 'Delivery since start',
      text: `${count(figures.eventsPublished, 'event', 'events')} published, ${count(figures.eventsDelivered, 'delivered', 'delivered')} live and ${count(figures.eventsReplayed, 'replayed', 'replayed')} to desks that reconnected.`,
      problem: false,
    },
    {
      label: 'Trouble since start',
      text:
        figures.resyncs + figures.slowClientsClosed + figures.streamsRejected === 0
          ? 'None.'
          : `${count(figures.resyncs, 'desk was', 'desks were')} away longer than the event history and reloaded; ${count(figures.slowClientsClosed, 'stream was', 'streams were')} closed for not reading; ${count(figures.streamsRejected, 'stream was', 'streams were')} refused for too many per person.`,
      problem: figures.slowClientsClosed + figures.streamsRejected > 0,
    },
    {
      label: 'This server process',
      text: `Running for ${durationInWords(figures.uptimeSeconds)}, using ${Math.round(figures.residentMemoryBytes / 1_048_576)} MB of memory.`,
      problem: false,
    },
    {
      label: 'Test endpoints',
      text: health.testEndpoints
        ? 'On: anyone signed in can send themselves test events (the Test panel). Set TEST_ENDPOINTS=false in production.'
        : 'Off.',
      problem: false,
    },
  ];
}
