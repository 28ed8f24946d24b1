import { performance } from 'node:perf_hooks';
import { benchContent, DeliveryTracker } from './delivery-tracker.js';
import { connectMessageSenders, recipientIndex, senderIndex, type MessageSenders } from './message-senders.js';
import { publishAtRate, sleep } from './publish-at-rate.js';
import { RedisCommandCounter } from './redis-command-counts.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';
import type { FrameSink } from './stream-pool.js';

export interface MessagePathParams {
  /** Sender → recipient pairs; each of the 2 × pairs users has a stream. */
  pairs: number;
  /** Messages per second, one phase each, ascending; stepping stops after the first that saturates. */
  rates: number[];
  durationMs: number;
  /** Unmeasured messages first, so both systems run warm (JIT, SQLite pages, Redis keys). */
  warmUpRate: number;
  warmUpMs: number;
  settleMs: number;
  drainMs: number;
}

/** A rate is past what the system sustains when less than this share of it reaches the recipients per second… */
const SUSTAINED_SHARE = 0.95;
/** …or when the median message waits this long: a queue is growing somewhere. */
const SATURATED_MEDIAN_MS = 100;

/**
 * The real message path (issue 15): a colleague presses Enter, the message reaches my desk.
 * Timed from the start of the sender's POST to the `new_message` frame on the recipient's stream
 * (the stamp is in the message text). ClinicPulse: session, validation, SQLite commit with the
 * outbox, relay, Redis, stream, and `message_sent` to the sender's own stream (tracked too, as
 * the "echo"). Nchan: an HTTP publish to the recipient's channel. Server + Redis CPU per message
 * is the phase's CPU divided by the messages sent.
 */
export async function runMessagePath(ctx: ScenarioContext, params: MessagePathParams): Promise<PhaseResult[]> {
  const { pool, probe, system } = ctx;
  const { pairs } = params;
  const senders = await connectMessageSenders(ctx.config, pairs);
  const commands = new RedisCommandCounter(ctx.config.redisUrl, ctx.config.redisClusterNodes);
  try {
    const rssBefore = probe.sample();
    const openSeconds = await pool.growTo(2 * pairs, (index) => system.userStream(index));
    ctx.log(`${2 * pairs} streams open in ${openSeconds.toFixed(1)} s`);
    await sleep(params.settleMs);
    const rssConnected = probe.sample();

    await sendPhase(ctx, senders, pairs, 40, params.warmUpRate, params.warmUpMs, params.drainMs);
    ctx.log(`warmed up: ${params.warmUpRate}/s for ${params.warmUpMs} ms`);

    const phases: PhaseResult[] = [];
    let phase = 40;
    for (const rate of params.rates) {
      phase++;
      const commandsBefore = await commands.sample();
      const before = probe.sample();
      const run = await sendPhase(ctx, senders, pairs, phase, rate, params.durationMs, params.drainMs);
      const after = probe.sample();
      const perMessage = RedisCommandCounter.perUnit(commandsBefore, await commands.sample(), run.result.sent);
      const scripts = perMessage.filter(([command]) => command === 'evalsha' || command === 'eval').reduce((sum, [, calls]) => sum + calls, 0);
      const allCommands = perMessage.reduce((sum, [, calls]) => sum + calls, 0);
      const resources = ResourceProbe.between(before, after);
      const delivery = run.recipients.summary();
      const echo = run.echoes?.summary();
      const cpuPerMessageMs = run.result.sent > 0 ? ((resources.serverCpuSeconds + resources.redisCpuSeconds) * 1000) / run.result.sent : Number.NaN;
      const saturated = delivery.deliveredPerSecond < SUSTAINED_SHARE * rate || delivery.latencyMs.p50 > SATURATED_MEDIAN_MS;
      ctx.log(
        `R=${rate}: Redis commands per message: ${perMessage.map(([command, calls]) => `${command} ${calls.toFixed(2)}`).join(', ')}`,
      );
      ctx.log(
        `R=${rate}: p50 ${delivery.latencyMs.p50} ms, p99 ${delivery.latencyMs.p99} ms, max ${delivery.latencyMs.max} ms, lost ${delivery.lost}, dup ${delivery.duplicates}, ooo ${delivery.outOfOrder}, delivered ${delivery.deliveredPerSecond.toFixed(0)}/s, failed ${run.result.failed}, server+Redis CPU ${cpuPerMessageMs.toFixed(3)} ms/message${echo ? `, echo p99 ${echo.latencyMs.p99} ms lost ${echo.lost}` : ''}${saturated ? ' — saturated' : ''}`,
      );
      phases.push({
        name: `R=${rate}`,
        streams: 2 * pairs,
        resources,
        delivery,
        figures: {
          targetRate: rate,
          achievedPublishRate: run.result.achievedRate,
          publishFailures: run.result.failed,
          unansweredPublishes: run.result.unansweredAtEnd,
          messagesSent: run.result.sent,
          cpuPerMessageMs,
          serverCpuPerMessageMs: run.result.sent > 0 ? (resources.serverCpuSeconds * 1000) / run.result.sent : Number.NaN,
          redisCpuPerMessageMs: run.result.sent > 0 ? (resources.redisCpuSeconds * 1000) / run.result.sent : Number.NaN,
          saturated: saturated ? 1 : 0,
          redisScriptsPerMessage: scripts,
          redisCommandsPerMessage: allCommands,
          ...(echo
            ? { echoP50Ms: echo.latencyMs.p50, echoP99Ms: echo.latencyMs.p99, echoLost: echo.lost, echoDuplicates: echo.duplicates, echoOutOfOrder: echo.outOfOrder }
            : {}),
          openSeconds,
          serverRssBeforeConnectBytes: rssBefore.serverRssBytes,
          serverRssConnectedBytes: rssConnected.serverRssBytes,
          redisRssBeforeConnectBytes: rssBefore.redisRssBytes,
          redisRssConnectedBytes: rssConnected.redisRssBytes,
        },
        latencySample: run.recipients.latencySample(20_000),
      });
      if (saturated) break;
    }
    return phases;
  } finally {
    senders.close();
    await commands.close();
  }
}

/**
 * `rate` messages per second for `durationMs`, round-robin over the pairs, then waits for every
 * delivery. Recipients' streams are 0…pairs-1, senders' pairs…2·pairs-1 (their `message_sent`).
 */
async function sendPhase(ctx: ScenarioContext, senders: MessageSenders, pairs: number, phase: number, rate: number, durationMs: number, drainMs: number) {
  const total = Math.round((rate * durationMs) / 1000);
  const recipients = new DeliveryTracker(phase, pairs, total, false, 'text');
  // Only ClinicPulse tells the sender's own desks.
  const echoes = ctx.system.name === 'clinicpulse' ? new DeliveryTracker(phase, pairs, total, false, 'text') : null;
  const sink: FrameSink = {
    receive: (stream, data) => {
      if (stream < pairs) recipients.receive(stream, data);
      else echoes?.receive(stream - pairs, data);
    },
  };
  const seqs = new Uint32Array(pairs);
  let failures = 0;
  ctx.pool.tracker = sink;
  const result = await publishAtRate(rate, durationMs, async (n) => {
    const pair = n % pairs;
    const seq = (seqs[pair] as number) + 1;
    seqs[pair] = seq;
    const sentAt = performance.now();
    recipients.noteSend(sentAt);
    echoes?.noteSend(sentAt);
    try {
      await senders.send(pair, benchContent(phase, seq, sentAt), `bench-${phase}-${n}`);
    } catch (error) {
      if (failures++ === 0) ctx.log(`first failed send: ${(error as Error).message}`);
      throw error;
    }
    recipients.expect(recipientIndex(pair));
    echoes?.expect(senderIndex(pairs, pair) - pairs);
  });
  await recipients.drain(drainMs);
  await echoes?.drain(drainMs);
  ctx.pool.tracker = null;
  return { recipients, echoes, result };
}
