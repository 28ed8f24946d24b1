import { performance } from 'node:perf_hooks';
import { DeliveryTracker } from './delivery-tracker.js';
import { benchPayload } from './payloads.js';
import { publishAtRate, sleep } from './publish-at-rate.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';

export interface PerUserParams {
  streams: number;
  /** Events per second, one phase each, e.g. [1000, 5000]. */
  rates: number[];
  durationMs: number;
  /** Unmeasured load before the first phase, so both servers run warm (JIT, buffers, Redis keys). */
  warmUpMs: number;
  settleMs: number;
  drainMs: number;
}

/**
 * Scenarios 2 and 5: C users, each with their own stream; R events per second spread round-robin
 * over the users, each published to one user through the system's publish path. With several
 * server endpoints (scenario 5) stream i goes to endpoint i mod n.
 */
export async function runPerUser(ctx: ScenarioContext, params: PerUserParams): Promise<PhaseResult[]> {
  const { pool, probe, system } = ctx;
  const rssBefore = probe.sample();
  const openSeconds = await pool.growTo(params.streams, (index) => system.userStream(index));
  ctx.log(`${params.streams} streams open in ${openSeconds.toFixed(1)} s`);
  await sleep(params.settleMs);
  const rssConnected = probe.sample();

  if (params.warmUpMs > 0) {
    await publishPhase(ctx, params.streams, 10, Math.min(1000, params.streams), params.warmUpMs, params.drainMs);
    ctx.log(`warmed up for ${params.warmUpMs} ms`);
  }

  const phases: PhaseResult[] = [];
  let phase = 10;
  for (const rate of params.rates) {
    phase++;
    const before = probe.sample();
    const { tracker, result } = await publishPhase(ctx, params.streams, phase, rate, params.durationMs, params.drainMs);
    const after = probe.sample();
    const delivery = tracker.summary();
    ctx.log(
      `R=${rate}: p50 ${delivery.latencyMs.p50} ms, p99 ${delivery.latencyMs.p99} ms, max ${delivery.latencyMs.max} ms, lost ${delivery.lost}, dup ${delivery.duplicates}, ooo ${delivery.outOfOrder}, achieved ${result.achievedRate.toFixed(0)}/s`,
    );
    phases.push({
      name: `R=${rate}`,
      streams: params.streams,
      resources: ResourceProbe.between(before, after),
      delivery,
      figures: {
        targetRate: rate,
        achievedPublishRate: result.achievedRate,
        publishFailures: result.failed,
        unansweredPublishes: result.unansweredAtEnd,
        openSeconds,
        serverRssBeforeConnectBytes: rssBefore.serverRssBytes,
        serverRssConnectedBytes: rssConnected.serverRssBytes,
        redisRssBeforeConnectBytes: rssBefore.redisRssBytes,
        redisRssConnectedBytes: rssConnected.redisRssBytes,
      },
      latencySample: tracker.latencySample(20_000),
    });
  }
  return phases;
}

/** Publishes `rate` events per second for `durationMs`, round-robin over the streams, and drains. */
async function publishPhase(ctx: ScenarioContext, streams: number, phase: number, rate: number, durationMs: number, drainMs: number) {
  const total = Math.round((rate * durationMs) / 1000);
  const tracker = new DeliveryTracker(phase, streams, total);
  const seqs = new Uint32Array(streams);
  ctx.pool.tracker = tracker;
  const result = await publishAtRate(rate, durationMs, async (n) => {
    const stream = n % streams;
    const seq = (seqs[stream] as number) + 1;
    seqs[stream] = seq;
    const sentAt = performance.now();
    tracker.noteSend(sentAt);
    await ctx.system.publishToUser(stream, benchPayload(phase, seq, sentAt));
    tracker.expect(stream);
  });
  await tracker.drain(drainMs);
  ctx.pool.tracker = null;
  return { tracker, result };
}
