import { performance } from 'node:perf_hooks';
import { readBenchContent } from './delivery-tracker.js';
import type { ScannedFrame } from './frame-scanner.js';
import { benchPayload } from './payloads.js';
import { sleep } from './publish-at-rate.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';
import { StreamConnection } from './stream-connection.js';

export interface ReplayParams {
  /** Events missed while disconnected. */
  missed: number;
  /** Reconnections measured, each for a different user. */
  replays: number;
  /** Users below this index are left to other scenarios (none share a run today). */
  firstUser: number;
  timeoutMs: number;
}

const PHASE = 40;

/**
 * Scenario 4: a client receives one event and notes its id, disconnects, misses K events, and
 * reconnects with `Last-Event-ID`. Measured: from the reconnect request to the K-th event, and
 * that exactly events 1..K arrived, once each, in order.
 */
export async function runReplay(ctx: ScenarioContext, params: ReplayParams): Promise<PhaseResult[]> {
  const times: number[] = [];
  const readyTimes: number[] = [];
  let missing = 0;
  let repeated = 0;
  let outOfOrder = 0;
  let failures = 0;
  const before = ctx.probe.sample();
  for (let r = 0; r < params.replays; r++) {
    const user = params.firstUser + r;
    try {
      const outcome = await replayOnce(ctx, user, params);
      times.push(outcome.allMs);
      if (outcome.readyMs !== undefined) readyTimes.push(outcome.readyMs);
      missing += outcome.missing;
      repeated += outcome.repeated;
      outOfOrder += outcome.outOfOrder;
    } catch (error) {
      failures++;
      ctx.log(`replay for user index ${user} failed: ${String(error)}`);
    }
  }
  const after = ctx.probe.sample();
  const sorted = [...times].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
  ctx.log(`replay of ${params.missed}: median ${median.toFixed(2)} ms, worst ${(sorted.at(-1) ?? Number.NaN).toFixed(2)} ms, missing ${missing}, repeated ${repeated}, out of order ${outOfOrder}`);
  return [
    {
      name: `replay ${params.missed}`,
      streams: 1,
      resources: ResourceProbe.between(before, after),
      figures: {
        missed: params.missed,
        replays: times.length,
        failures,
        medianMs: median,
        bestMs: sorted[0] ?? Number.NaN,
        worstMs: sorted.at(-1) ?? Number.NaN,
        readyMedianMs: [...readyTimes].sort((a, b) => a - b)[Math.floor(readyTimes.length / 2)] ?? Number.NaN,
        missing,
        repeated,
        outOfOrder,
      },
      latencySample: times,
    },
  ];
}

interface ReplayOutcome {
  allMs: number;
  readyMs: number | undefined;
  missing: number;
  repeated: number;
  outOfOrder: number;
}

async function replayOnce(ctx: ScenarioContext, user: number, params: ReplayParams): Promise<ReplayOutcome> {
  const { system } = ctx;
  // 1. Connect, receive a marker event, remember its id.
  let markerId: string | undefined;
  const first = new StreamConnection(system.userStream(user), (frame) => {
    if (frame.event !== 'ready' && frame.id !== undefined && readBenchContent(frame.data)?.seq === 0) markerId = frame.id;
  });
  await first.open(params.timeoutMs);
  await sleep(50);
  await system.publishToUser(user, benchPayload(PHASE, 0, performance.now()));
  await until(() => markerId !== undefined, params.timeoutMs, 'marker event');
  first.close();

  // 2. Miss K events. Published one after another: Nchan's HTTP publishes over several sockets
  // could otherwise overtake each other, and the order check is about the stream, not the publisher.
  if (system.name === 'clinicpulse') {
    const sends: Promise<void>[] = [];
    for (let seq = 1; seq <= params.missed; seq++) sends.push(system.publishToUser(user, benchPayload(PHASE, seq, performance.now())));
    await Promise.all(sends);
  } else {
    for (let seq = 1; seq <= params.missed; seq++) await system.publishToUser(user, benchPayload(PHASE, seq, performance.now()));
  }
  await sleep(100);

  // 3. Reconnect with Last-Event-ID and time the replay.
  const seen = new Uint8Array(params.missed + 1);
  let distinct = 0;
  let repeated = 0;
  let outOfOrder = 0;
  let last = 0;
  let allAt: number | undefined;
  let readyAt: number | undefined;
  const onFrame = (frame: ScannedFrame) => {
    if (frame.event === 'ready') {
      readyAt ??= performance.now();
      return;
    }
    const stamp = readBenchContent(frame.data);
    if (!stamp || stamp.phase !== PHASE) return;
    if (stamp.seq === 0 || seen[stamp.seq] === 1) {
      repeated++;
      return;
    }
    seen[stamp.seq] = 1;
    if (stamp.seq < last) outOfOrder++;
    last = stamp.seq;
    if (++distinct === params.missed) allAt = performance.now();
  };
  const started = performance.now();
  const second = new StreamConnection(system.userStream(user, markerId), onFrame);
  try {
    await second.open(params.timeoutMs);
    await until(() => allAt !== undefined && (!system.sendsReady || readyAt !== undefined), params.timeoutMs, 'replayed events').catch(() => undefined);
    // A moment more, so a repeat arriving after the K-th event is still counted.
    await sleep(100);
  } finally {
    second.close();
  }
  return {
    allMs: (allAt ?? Number.NaN) - started,
    readyMs: readyAt === undefined ? undefined : readyAt - started,
    missing: params.missed - distinct,
    repeated,
    outOfOrder,
  };
}

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1);
  }
}
