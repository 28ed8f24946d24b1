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
  /**
   * Scenario 8: the streams are opened as a fan-out's (ClinicPulse's user stream, Nchan's shared
   * channel), and the liveness check is one notice to all of them at once, timed until the last
   * stream has it (issue 15: within 1 s).
   */
  noticeToAll?: boolean;
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
  const streamOf = (index: number) => (params.noticeToAll ? system.fanoutStream(index) : system.userStream(index));
  for (const level of params.levels) {
    const opened = level - pool.size;
    const openSeconds = await pool.growTo(level, streamOf);
    await sleep(params.settleMs);
    const now = probe.sample();
    const serverGrowth = now.serverRssBytes - base.serverRssBytes;
    const redisGrowth = now.redisRssBytes - base.redisRssBytes;
    ctx.log(
      `${level} idle streams open (${opened} in ${openSeconds.toFixed(1)} s, ${(opened / openSeconds).toFixed(0)}/s); ${((serverGrowth + redisGrowth) / level / 1024).toFixed(1)} KB per stream`,
    );
    phases.push({
      name: `idle ${level}`,
      streams: level,
      resources: ResourceProbe.between(phaseStart, now),
      figures: {
        openSeconds,
        opensPerSecond: opened / openSeconds,
        serverRssGrowthBytes: serverGrowth,
        redisRssGrowthBytes: redisGrowth,
        bytesPerStream: (serverGrowth + redisGrowth) / level,
        serverBytesPerStream: serverGrowth / level,
        redisBytesPerStream: redisGrowth / level,
      },
    });
    phaseStart = now;
  }

  if (params.noticeToAll) phases.push(await noticeToAll(ctx));
  else phases.push(await liveness(ctx));
  return phases;
}

/** One event to every stream, each to its user, at up to 5,000 a second. */
async function liveness(ctx: ScenarioContext): Promise<PhaseResult> {
  const { pool, probe, system } = ctx;
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
  pool.tracker = null;
  return {
    name: `liveness ${count}`,
    streams: count,
    resources: ResourceProbe.between(before, probe.sample()),
    delivery: tracker.summary(),
    figures: { publishFailures: rate.failed },
  };
}

/** One notice to every stream at once; all delivered = from the publish call to the last stream's frame. */
async function noticeToAll(ctx: ScenarioContext): Promise<PhaseResult> {
  const { pool, probe, system } = ctx;
  const count = pool.size;
  const everyone = Array.from({ length: count }, (_, index) => index);
  const tracker = new DeliveryTracker(1, count, count, true);
  pool.tracker = tracker;
  const before = probe.sample();
  const sentAt = performance.now();
  tracker.noteSend(sentAt);
  let failed = 0;
  try {
    await system.publishFanout(everyone, benchPayload(1, 1, sentAt));
    for (const index of everyone) tracker.expect(index);
  } catch (error) {
    failed = 1;
    ctx.log(`the notice to all failed: ${(error as Error).message}`);
  }
  await tracker.drain(10_000);
  pool.tracker = null;
  const delivery = tracker.summary();
  const allDeliveredMs = delivery.perNoticeMaxMs?.[0] ?? Number.NaN;
  ctx.log(`one notice to all ${count}: ${delivery.received} delivered, the last after ${allDeliveredMs} ms; p50 ${delivery.latencyMs.p50} ms`);
  return {
    name: `notice to all ${count}`,
    streams: count,
    resources: ResourceProbe.between(before, probe.sample()),
    delivery,
    figures: { publishFailures: failed, allDeliveredMs },
  };
}
