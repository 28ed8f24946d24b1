import { performance } from 'node:perf_hooks';
import { DeliveryTracker } from './delivery-tracker.js';
import { benchPayload } from './payloads.js';
import { publishAtRate, sleep } from './publish-at-rate.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';

export interface IdleParams {
  /** Stream counts to reach in turn, e.g. [1000, 5000, 10000]. */
  levels: number[];
  settleMs: number;
}

/**
 * Scenario 1: C idle streams. Memory per stream is the growth of the server's and Redis's RSS
 * from before the first stream to after the C-th, divided by C. At the end each stream gets one
 * event, to show every stream was live rather than merely accepted.
 */
export async function runIdle(ctx: ScenarioContext, params: IdleParams): Promise<PhaseResult[]> {
  const { pool, probe, system } = ctx;
  await sleep(params.settleMs);
  const base = probe.sample();
  const phases: PhaseResult[] = [];
  let phaseStart = base;
  for (const level of params.levels) {
    const openSeconds = await pool.growTo(level, (index) => system.userStream(index));
    await sleep(params.settleMs);
    const now = probe.sample();
    const serverGrowth = now.serverRssBytes - base.serverRssBytes;
    const redisGrowth = now.redisRssBytes - base.redisRssBytes;
    ctx.log(`${level} idle streams open in ${openSeconds.toFixed(1)} s; ${((serverGrowth + redisGrowth) / level / 1024).toFixed(1)} KB per stream`);
    phases.push({
      name: `idle ${level}`,
      streams: level,
      resources: ResourceProbe.between(phaseStart, now),
      figures: {
        openSeconds,
        serverRssGrowthBytes: serverGrowth,
        redisRssGrowthBytes: redisGrowth,
        bytesPerStream: (serverGrowth + redisGrowth) / level,
        serverBytesPerStream: serverGrowth / level,
        redisBytesPerStream: redisGrowth / level,
      },
    });
    phaseStart = now;
  }

  // Liveness: one event to every stream.
  const count = pool.size;
  const tracker = new DeliveryTracker(1, count, count);
  pool.tracker = tracker;
  const before = probe.sample();
  const rate = await publishAtRate(Math.min(5000, count), 1000 * Math.max(1, count / 5000), async (n) => {
    const sentAt = performance.now();
    tracker.noteSend(sentAt);
    await system.publishToUser(n, benchPayload(1, 1, sentAt));
    tracker.expect(n);
  });
  await tracker.drain(10_000);
  phases.push({
    name: `liveness ${count}`,
    streams: count,
    resources: ResourceProbe.between(before, probe.sample()),
    delivery: tracker.summary(),
    figures: { publishFailures: rate.failed },
  });
  pool.tracker = null;
  return phases;
}
