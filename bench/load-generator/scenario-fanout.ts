import { performance } from 'node:perf_hooks';
import { DeliveryTracker } from './delivery-tracker.js';
import { benchPayload } from './payloads.js';
import { publishAtRate, sleep } from './publish-at-rate.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';

export interface FanoutParams {
  /** Stream counts for single notices, ascending, e.g. [1000, 5000]. */
  levels: number[];
  /** Single notices per level, one every `noticeIntervalMs`. */
  notices: number;
  noticeIntervalMs: number;
  /** Sustained fan-out on the first level's streams: notices per second, for how long. */
  sustainedRate: number;
  sustainedMs: number;
  settleMs: number;
  drainMs: number;
}

type Send = (seq: number) => Promise<void>;
interface SendResult {
  sent: number;
  failed: number;
  achievedRate: number;
}

/**
 * Scenario 3: one system notice to every open stream. ClinicPulse publishes it into each user's
 * own history (publishToMany: one script per 500 users, two in flight at a time, each script
 * publishing once on the shared `fanout` channel); Nchan publishes once
 * to one shared channel, the reference for the cost of delivery alone.
 */
export async function runFanout(ctx: ScenarioContext, params: FanoutParams): Promise<PhaseResult[]> {
  const phases: PhaseResult[] = [];
  let phase = 20;
  for (const [levelIndex, level] of params.levels.entries()) {
    const openSeconds = await ctx.pool.growTo(level, (index) => ctx.system.fanoutStream(index));
    ctx.log(`${level} streams open in ${openSeconds.toFixed(1)} s`);
    await sleep(params.settleMs);
    // Unmeasured notices first, so the measured ones find both systems warm.
    await measure(ctx, ++phase, 'warm-up', level, WARM_UP_NOTICES, params.drainMs, (send) => sendNotices(send, WARM_UP_NOTICES, 100));

    if (levelIndex === 0 && params.sustainedMs > 0) {
      const notices = Math.round((params.sustainedRate * params.sustainedMs) / 1000);
      const name = `sustained ${params.sustainedRate}/s to ${level}`;
      phases.push(
        await measure(ctx, ++phase, name, level, notices, params.drainMs, (send) =>
          publishAtRate(params.sustainedRate, params.sustainedMs, (n) => send(n + 1)),
        ),
      );
    }

    const name = `one notice to ${level}`;
    phases.push(
      await measure(ctx, ++phase, name, level, params.notices, params.drainMs, (send) =>
        sendNotices(send, params.notices, params.noticeIntervalMs),
      ),
    );
  }
  return phases;
}

const WARM_UP_NOTICES = 3;

/** Single notices, each once the previous one's publish returned, `intervalMs` apart. */
async function sendNotices(send: Send, notices: number, intervalMs: number): Promise<SendResult> {
  const started = performance.now();
  const result: SendResult = { sent: 0, failed: 0, achievedRate: 0 };
  for (let seq = 1; seq <= notices; seq++) {
    await send(seq).then(
      () => result.sent++,
      () => result.failed++,
    );
    await sleep(intervalMs);
  }
  result.achievedRate = result.sent / ((performance.now() - started) / 1000);
  return result;
}

async function measure(
  ctx: ScenarioContext,
  phase: number,
  name: string,
  streams: number,
  notices: number,
  drainMs: number,
  run: (send: Send) => Promise<SendResult>,
): Promise<PhaseResult> {
  const everyone = Array.from({ length: streams }, (_, index) => index);
  const tracker = new DeliveryTracker(phase, streams, notices * streams, true);
  const send: Send = async (seq) => {
    const sentAt = performance.now();
    tracker.noteSend(sentAt);
    await ctx.system.publishFanout(everyone, benchPayload(phase, seq, sentAt));
    for (const index of everyone) tracker.expect(index);
  };
  ctx.pool.tracker = tracker;
  const before = ctx.probe.sample();
  const result = await run(send);
  await tracker.drain(drainMs);
  const after = ctx.probe.sample();
  ctx.pool.tracker = null;
  const delivery = tracker.summary();
  const perNotice = [...(delivery.perNoticeMaxMs ?? [])].sort((a, b) => a - b);
  const median = perNotice[Math.floor(perNotice.length / 2)] ?? Number.NaN;
  const worst = perNotice.at(-1) ?? Number.NaN;
  ctx.log(
    `${name}: all delivered within ${median} ms (median notice), ${worst} ms (worst); p99 ${delivery.latencyMs.p99} ms, lost ${delivery.lost}, dup ${delivery.duplicates}, ooo ${delivery.outOfOrder}`,
  );
  return {
    name,
    streams,
    resources: ResourceProbe.between(before, after),
    delivery,
    figures: {
      notices,
      noticesSent: result.sent,
      publishFailures: result.failed,
      achievedNoticeRate: result.achievedRate,
      allDeliveredMedianMs: median,
      allDeliveredWorstMs: worst,
    },
    latencySample: tracker.latencySample(20_000),
  };
}
