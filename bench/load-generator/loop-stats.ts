import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import type { Endpoint } from './systems.js';

/**
 * How often an event loop's delay is sampled: prom-client's default in the servers, the same in
 * the generator. A sample is the time between two ticks of a timer of this period, so how late
 * a loop ran is a sample less this.
 */
const TIMER_MS = 10;

/** What the ClinicPulse servers' `/metrics` said at one moment, summed over the servers. */
export interface ServerLoopSample {
  /** GC pauses so far, and how many of them took longer than 10 ms (prom-client's bucket bound). */
  gcPauses: number;
  gcPausesOver10Ms: number;
  gcSeconds: number;
  /** The event loop's delay since the previous scrape (prom-client resets it on each): the worst server's. */
  delayP99Seconds: number;
  delayMaxSeconds: number;
}

/** Where a phase's stalls came from: the servers' GC pauses, and how late their and the generator's event loops ran. */
export interface LoopStats {
  gcPauses: number;
  gcPausesOver10Ms: number;
  gcMs: number;
  serverLoopLateP99Ms: number;
  serverLoopLateMaxMs: number;
  generatorLoopLateP99Ms: number;
  generatorLoopLateMaxMs: number;
}

const PREFIX = 'clinicpulse_nodejs_';

/**
 * Reads every server's `/metrics` (prom-client's default metrics). The event loop's delay
 * histogram starts afresh with each scrape, so a scrape at a phase's start and one at its end
 * give the delay within the phase; the GC histogram only grows, so the phase's pauses are the
 * difference. Nothing else scrapes the bench's servers.
 */
async function sampleServers(endpoints: readonly Endpoint[]): Promise<ServerLoopSample> {
  const texts = await Promise.all(
    endpoints.map(async ({ host, port }) => {
      const answer = await fetch(`http://${host}:${port}/metrics`);
      if (!answer.ok) throw new Error(`/metrics: HTTP ${answer.status}`);
      return answer.text();
    }),
  );
  const sample: ServerLoopSample = { gcPauses: 0, gcPausesOver10Ms: 0, gcSeconds: 0, delayP99Seconds: 0, delayMaxSeconds: 0 };
  let gcPausesWithin10Ms = 0;
  for (const text of texts) {
    for (const line of text.split('\n')) {
      const [name, value] = line.split(' ');
      const number = Number(value);
      if (name === undefined || !name.startsWith(PREFIX) || !Number.isFinite(number)) continue;
      const metric = name.slice(PREFIX.length);
      if (metric.startsWith('gc_duration_seconds_count')) sample.gcPauses += number;
      else if (metric.startsWith('gc_duration_seconds_sum')) sample.gcSeconds += number;
      else if (metric.startsWith('gc_duration_seconds_bucket{le="0.01"')) gcPausesWithin10Ms += number;
      else if (metric === 'eventloop_lag_p99_seconds') sample.delayP99Seconds = Math.max(sample.delayP99Seconds, number);
      else if (metric === 'eventloop_lag_max_seconds') sample.delayMaxSeconds = Math.max(sample.delayMaxSeconds, number);
    }
  }
  sample.gcPausesOver10Ms = sample.gcPauses - gcPausesWithin10Ms;
  return sample;
}

const lateMs = (sampleMs: number) => Math.max(0, Math.round((sampleMs - TIMER_MS) * 10) / 10);

/**
 * Watches a phase's event loops: the ClinicPulse servers' (through `/metrics`) and the
 * generator's own, whose lateness is part of every latency it times. `start()` at the phase's
 * beginning, `stop()` once its events are in.
 */
export class LoopWatch {
  private constructor(
    private readonly endpoints: readonly Endpoint[],
    private readonly before: ServerLoopSample,
    private readonly own: IntervalHistogram,
  ) {}

  static async start(endpoints: readonly Endpoint[]): Promise<LoopWatch> {
    const before = await sampleServers(endpoints);
    const own = monitorEventLoopDelay({ resolution: TIMER_MS });
    own.enable();
    return new LoopWatch(endpoints, before, own);
  }

  async stop(): Promise<LoopStats> {
    this.own.disable();
    const after = await sampleServers(this.endpoints);
    return {
      gcPauses: after.gcPauses - this.before.gcPauses,
      gcPausesOver10Ms: after.gcPausesOver10Ms - this.before.gcPausesOver10Ms,
      gcMs: Math.round((after.gcSeconds - this.before.gcSeconds) * 1000),
      serverLoopLateP99Ms: lateMs(after.delayP99Seconds * 1000),
      serverLoopLateMaxMs: lateMs(after.delayMaxSeconds * 1000),
      generatorLoopLateP99Ms: lateMs(this.own.percentile(99) / 1e6),
      generatorLoopLateMaxMs: lateMs(this.own.max / 1e6),
    };
  }
}
