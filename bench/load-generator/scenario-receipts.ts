import { performance } from 'node:perf_hooks';
import { benchContent, DeliveryTracker, round } from './delivery-tracker.js';
import { NoticeSenders } from './notice-senders.js';
import { publishAtRate, sleep } from './publish-at-rate.js';
import { ReceiptReporters, type ReportingTotals } from './receipt-reporters.js';
import { receiptRowsInDatabase } from './receipts-in-database.js';
import { ResourceProbe } from './resource-probe.js';
import type { PhaseResult, ScenarioContext } from './scenario-types.js';
import { LoopWatch } from './loop-stats.js';

export interface ReceiptsParams {
  streams: number;
  /** Users per notice; `streams` is a multiple of it. */
  noticeSize: number;
  /** Events per second (notices per second × noticeSize). */
  rate: number;
  durationMs: number;
  /** How long a desk gathers receipts before it reports them (the browser page: 300 ms). */
  flushMs: number;
  /** The admin's keep-alive connections the notices go out on, in turn. */
  noticeConnections: number;
  /** Unmeasured load first, at the full rate with receipts on, so both phases run warm. */
  warmUpMs: number;
  settleMs: number;
  drainMs: number;
}

const ALERT_ID_KEY = '"alert_id":"';

/** The alert id in an event's data, without JSON.parse; null when it carries none. */
function alertIdIn(data: string): number | null {
  const at = data.indexOf(ALERT_ID_KEY);
  if (at === -1) return null;
  const start = at + ALERT_ID_KEY.length;
  const id = Number(data.slice(start, data.indexOf('"', start)));
  return Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * Scenario 9 (issue 11): receipts on. 5,000 users with a stream each; the admin's notices, each
 * to `noticeSize` of them in turn (so each user gets `rate / streams` events a second, like
 * scenario 2), every one creating its alert. Phase "receipts off": the streams only read. Phase
 * "receipts on": every stream's desk reports each event it receives (`shown`, recorded by the
 * server as delivered and shown) in `flushMs` batches over `POST /api/alerts/receipts`. Delivery
 * is timed from the start of the notice's POST to its arrival on each stream (the stamp is in
 * the notice's content). Afterwards the answers' `recorded` and SQLite itself are checked:
 * every receipt recorded, each state once.
 */
export async function runReceipts(ctx: ScenarioContext, params: ReceiptsParams): Promise<PhaseResult[]> {
  const { pool, probe, system, config } = ctx;
  if (params.streams % params.noticeSize !== 0) throw new Error('streams must be a multiple of noticeSize');
  if (!config.dataDir) throw new Error('the receipts scenario needs the server\'s data directory');
  const dataDir = config.dataDir;
  const notices = new NoticeSenders(config, params.noticeConnections);
  const reporters = new ReceiptReporters(config, params.streams, params.flushMs);
  try {
    const openSeconds = await pool.growTo(params.streams, (index) => system.userStream(index));
    ctx.log(`${params.streams} streams open in ${openSeconds.toFixed(1)} s`);
    await sleep(params.settleMs);

    await noticePhase(ctx, notices, reporters, params, 60, params.rate, params.warmUpMs, true);
    await reporters.drain(params.drainMs);
    reporters.takeTotals();
    ctx.log(`warmed up for ${params.warmUpMs} ms, receipts on`);

    const phases: PhaseResult[] = [];
    // Receipts on first, while the desks' connections are still open from the warm-up: after a
    // phase without receipts all 5,000 would reconnect in the same second (the server closes a
    // connection idle for 5 s), which no clinic's desks do together.
    for (const [phase, withReceipts] of [[61, true], [62, false]] as const) {
      await sleep(params.settleMs);
      const watch = await LoopWatch.start(config.endpoints);
      const before = probe.sample();
      const run = await noticePhase(ctx, notices, reporters, params, phase, params.rate, params.durationMs, withReceipts);
      const loops = await watch.stop();
      if (withReceipts) await reporters.drain(params.drainMs);
      const after = probe.sample();
      const totals = reporters.takeTotals();
      const delivery = run.tracker.summary();
      const rows = withReceipts && run.firstAlertId <= run.lastAlertId ? receiptRowsInDatabase(dataDir, run.firstAlertId, run.lastAlertId) : null;
      const name = withReceipts ? 'receipts on' : 'receipts off';
      ctx.log(
        `${name}: p50 ${delivery.latencyMs.p50} ms, p99 ${delivery.latencyMs.p99} ms, max ${delivery.latencyMs.max} ms, lost ${delivery.lost}, dup ${delivery.duplicates}, ooo ${delivery.outOfOrder}, events ${(run.result.achievedRate * params.noticeSize).toFixed(0)}/s, failed notices ${run.result.failed}; ` +
          `event loop late p99 / max: server ${loops.serverLoopLateP99Ms} / ${loops.serverLoopLateMaxMs} ms, generator ${loops.generatorLoopLateP99Ms} / ${loops.generatorLoopLateMaxMs} ms; ` +
          `server GC ${loops.gcPauses} pauses (${loops.gcPausesOver10Ms} over 10 ms), ${loops.gcMs} ms` +
          (withReceipts ? `; ${describeReporting(totals, rows)}` : ''),
      );
      phases.push({
        name,
        streams: params.streams,
        resources: ResourceProbe.between(before, after),
        delivery,
        figures: {
          targetRate: params.rate,
          noticeSize: params.noticeSize,
          achievedPublishRate: run.result.achievedRate * params.noticeSize,
          noticesSent: run.result.sent,
          publishFailures: run.result.failed,
          unansweredPublishes: run.result.unansweredAtEnd,
          openSeconds,
          ...loops,
          ...(withReceipts ? reportingFigures(totals, rows) : {}),
        },
        latencySample: run.tracker.latencySample(20_000),
      });
    }
    return phases;
  } finally {
    notices.close();
    reporters.close();
  }
}

function reportingFigures(totals: ReportingTotals, rows: ReturnType<typeof receiptRowsInDatabase> | null): Record<string, number> {
  const requestAt = percentiles(totals.requestMs);
  const lagAt = percentiles(totals.receiptLagMs);
  return {
    receiptsSent: totals.receiptsSent,
    receiptStatesExpected: 2 * totals.receiptsSent,
    receiptStatesRecorded: totals.recorded,
    receiptRequests: totals.requests,
    receiptRequestsPerSecond: totals.spanSeconds > 0 ? totals.requests / totals.spanSeconds : Number.NaN,
    receiptsPerRequest: totals.requests > totals.failedRequests ? totals.receiptsSent / (totals.requests - totals.failedRequests) : Number.NaN,
    receiptRequestsFailed: totals.failedRequests,
    receiptsFailed: totals.failedReceipts,
    receiptsRefused: totals.refusedReceipts,
    receiptRequestP50Ms: requestAt(50),
    receiptRequestP99Ms: requestAt(99),
    receiptLagP50Ms: lagAt(50),
    receiptLagP99Ms: lagAt(99),
    dbDeliveredRows: rows?.delivered ?? Number.NaN,
    dbShownRows: rows?.shown ?? Number.NaN,
    dbOtherRows: rows?.other ?? Number.NaN,
    dbRepeatedRows: rows?.repeated ?? Number.NaN,
  };
}

function percentiles(sample: readonly number[]): (p: number) => number {
  const sorted = [...sample].sort((a, b) => a - b);
  return (p) => (sorted.length > 0 ? round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number) : Number.NaN);
}

function describeReporting(totals: ReportingTotals, rows: ReturnType<typeof receiptRowsInDatabase> | null): string {
  const perSecond = totals.spanSeconds > 0 ? totals.requests / totals.spanSeconds : Number.NaN;
  return (
    `receipts sent ${totals.receiptsSent} in ${totals.requests} requests (${perSecond.toFixed(0)}/s, ${totals.failedRequests} failed, ${totals.refusedReceipts} receipts refused), ` +
    `at the server after p50 ${percentiles(totals.receiptLagMs)(50)} / p99 ${percentiles(totals.receiptLagMs)(99)} ms, ` +
    `states recorded ${totals.recorded} of ${2 * totals.receiptsSent}; SQLite: delivered ${rows?.delivered}, shown ${rows?.shown}, other ${rows?.other}, repeated ${rows?.repeated}`
  );
}

/**
 * `rate` events per second for `durationMs`: notice n goes to group n mod (streams / noticeSize),
 * so every user hears once per `streams / rate` seconds, evenly spread. Waits for every delivery.
 */
async function noticePhase(
  ctx: ScenarioContext,
  notices: NoticeSenders,
  reporters: ReceiptReporters,
  params: ReceiptsParams,
  phase: number,
  rate: number,
  durationMs: number,
  withReceipts: boolean,
) {
  const groups = params.streams / params.noticeSize;
  const noticeRate = rate / params.noticeSize;
  const total = Math.round((rate * durationMs) / 1000);
  const tracker = new DeliveryTracker(phase, params.streams, total);
  const members = Array.from({ length: groups }, (_, group) => Array.from({ length: params.noticeSize }, (_, i) => group * params.noticeSize + i));
  let firstAlertId = Number.POSITIVE_INFINITY;
  let lastAlertId = 0;
  let failures = 0;
  ctx.pool.tracker = {
    receive: (stream, data, id) => {
      tracker.receive(stream, data);
      const alertId = alertIdIn(data);
      if (alertId === null) return;
      if (alertId < firstAlertId) firstAlertId = alertId;
      if (alertId > lastAlertId) lastAlertId = alertId;
      if (withReceipts && id !== undefined) reporters.report(stream, alertId, Number(id));
    },
  };
  const result = await publishAtRate(noticeRate, durationMs, async (n) => {
    const group = n % groups;
    const seq = Math.floor(n / groups) + 1;
    const sentAt = performance.now();
    tracker.noteSend(sentAt);
    const to = members[group] as number[];
    try {
      await notices.send(to, benchContent(phase, seq, sentAt));
    } catch (error) {
      if (failures++ === 0) ctx.log(`first failed notice: ${(error as Error).message}`);
      throw error;
    }
    for (const stream of to) tracker.expect(stream);
  });
  await tracker.drain(params.drainMs);
  ctx.pool.tracker = null;
  return { tracker, result, firstAlertId, lastAlertId };
}
