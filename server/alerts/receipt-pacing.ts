import { performance } from 'node:perf_hooks';
import type { ServerContext } from '../context.js';

export interface ReceiptPacingOptions {
  /** How many reports a second this process wants to answer at most, from all desks together. */
  reportsPerSecond?: number;
  now?: () => number;
}

/**
 * A report a second per desk, the API's busiest request, costs ~70 µs of the one event loop
 * that also writes every stream's events (bench scenario 9: 5,000 desks took half a core, and
 * the events' p99 grew four times). Receipts are bookkeeping; the events are what staff wait
 * for. So past REPORTS_PER_SECOND, every answer asks its desk to wait before the next report,
 * long enough that all the desks reporting lately send about that many a second together: each
 * report then carries several receipts, and senders see them up to MAX_SPACING_MS later. A
 * clinic's few hundred desks are never spaced out.
 */
const REPORTS_PER_SECOND = 1_000;
/** The longest a desk is asked to wait: a sender learns that an alert was shown within this. */
export const MAX_SPACING_MS = 4_000;
/** Below this the desks' own gathering (300–500 ms) already spaces their reports. */
const MIN_SPACING_MS = 250;
/** A desk counts as reporting while its last report is this recent: longer than any spacing. */
const WINDOW_MS = 2 * MAX_SPACING_MS;

export class ReceiptPacing {
  /** Desk → when it last reported; kept in that order, so the oldest are first to go. */
  private readonly lastReport = new Map<string, number>();
  private readonly reportsPerSecond: number;
  private readonly now: () => number;

  constructor(options: ReceiptPacingOptions = {}) {
    this.reportsPerSecond = options.reportsPerSecond ?? REPORTS_PER_SECOND;
    this.now = options.now ?? (() => performance.now());
  }

  /** Notes a report of `desk`; returns how long that desk should wait before its next (ms). */
  spacingAfterReport(desk: string): number {
    this.lastReport.delete(desk);
    this.lastReport.set(desk, this.now());
    return this.spacingMs;
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
