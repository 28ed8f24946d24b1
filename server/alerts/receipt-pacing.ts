import { performance } from 'node:perf_hooks';
import type { ServerContext } from '../context.js';

export interface ReceiptPacingOptions {
  /** How many reports a second this process wants to answer at most, from all desks together. */
  reportsPerSecond?: number;
  now?: () => number;
  /** In [0, 1): spreads each desk's wait around the spacing. */
  random?: () => number;
}

/**
 * A report a second per desk, the API's busiest request, costs ~70 µs of the one event loop
 * that also writes every stream's events (bench scenario 9: 5,000 desks took half a core, and
 * the events' p99 grew four times). Receipts are bookkeeping; the events are what staff wait
 * for. So past REPORTS_PER_SECOND, every answer asks its desk to wait before the next report,
 * long enough that all the desks reporting lately send about that many a second together: each
 * report then carries several receipts, and senders see them up to 1.5 × MAX_SPACING_MS later
 * (urgent alerts' receipts do not wait: the desks report those at once). A clinic's few hundred
 * desks are never spaced out.
 *
 * Each desk is asked to wait between half and one and a half times the spacing, at random. With
 * the same wait for all, desks that started together stayed together: in bench scenario 9 the
 * 5,000 desks reported in one wave every 4 s, and the waves were the events' slowest moments.
 */
const REPORTS_PER_SECOND = 1_000;
/** The longest spacing: a desk waits at most 1.5 times this before its next report. */
export const MAX_SPACING_MS = 4_000;
/** Below this the desks' own gathering (300–500 ms) already spaces their reports. */
const MIN_SPACING_MS = 250;
/** A desk counts as reporting while its last report is this recent: longer than any spacing. */
const WINDOW_MS = 2 * MAX_SPACING_MS;
/** Waits are spread over spacing × [1 − SPREAD, 1 + SPREAD). */
const SPREAD = 0.5;

export class ReceiptPacing {
  /** Desk → when it last reported; kept in that order, so the oldest are first to go. */
  private readonly lastReport = new Map<string, number>();
  private readonly reportsPerSecond: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(options: ReceiptPacingOptions = {}) {
    this.reportsPerSecond = options.reportsPerSecond ?? REPORTS_PER_SECOND;
    this.now = options.now ?? (() => performance.now());
    this.random = options.random ?? Math.random;
  }

  /** Notes a report of `desk`; returns how long that desk should wait before its next (ms). */
  spacingAfterReport(desk: string): number {
    this.lastReport.delete(desk);
    this.lastReport.set(desk, this.now());
    const spacing = this.spacingMs;
    return Math.round(spacing * (1 - SPREAD + 2 * SPREAD * this.random()));
  }

  /** How long desks are asked to wait between reports now (ms; 0: they are not). */
  get spacingMs(): number {
    const now = this.now();
    for (const [quiet, at] of this.lastReport) {
      if (now - at < WINDOW_MS) break;
      this.lastReport.delete(quiet);
    }
    const spacing = (this.lastReport.size / this.reportsPerSecond) * 1_000;
    return spacing < MIN_SPACING_MS ? 0 : Math.min(MAX_SPACING_MS, Math.round(spacing));
  }
}

const pacings = new WeakMap<ServerContext, ReceiptPacing>();

/** The context's one pacing, which counts every desk reporting to this process. */
export function receiptPacingFor(ctx: ServerContext): ReceiptPacing {
  let pacing = pacings.get(ctx);
  if (!pacing) {
    pacing = new ReceiptPacing();
    pacings.set(ctx, pacing);
  }
  return pacing;
}
