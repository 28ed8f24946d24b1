import { performance } from 'node:perf_hooks';
import { MAX_RECEIPTS_PER_REPORT, type Desk, type ReceiptReport, type ReceiptReportResponse, type ReportedReceipt } from '../../common/alerts.js';
import { HttpConnection } from './http-connection.js';
import { sessionToken, userIdOf, type Endpoint, type SystemConfig } from './systems.js';

/** What the reporters did over one phase. */
export interface ReportingTotals {
  /** Receipts handed to the desks (one per event: `shown`, which the server also records as `delivered`). */
  receiptsSent: number;
  requests: number;
  /** Sum of the `recorded` the server answered: states newly recorded. */
  recorded: number;
  /** Requests that were not answered 200 (a refusal, a 503, a broken connection). */
  failedRequests: number;
  /** Receipts those requests carried (those that did not get through were sent again). */
  failedReceipts: number;
  /** Receipts dropped because the server refused them (4xx): never recorded. */
  refusedReceipts: number;
  /** Time of each request, POST written to answer read, ms (bounded sample). */
  requestMs: number[];
  /**
   * How late each receipt reached the server: from the event's arrival on the stream to the
   * answer to the report that carried it, ms (bounded sample). The server's pacing shows here.
   */
  receiptLagMs: number[];
  /** First request sent to last answer read, seconds. */
  spanSeconds: number;
}

/** The desk of bench stream i: one installation per stream, as a browser profile is one desk. */
export function benchDesk(stream: number): Desk {
  return { id: `bench-desk-${String(stream).padStart(5, '0')}`, name: `Bench desk ${stream}` };
}

const REQUEST_SAMPLE_LIMIT = 200_000;
/** The page's first retry waits 0.5–1 s (receipt-queue.ts: 1 s × a random half to whole). */
const RETRY_MS = 500;

/**
 * Every stream's desk reporting receipts as the browser page does (renderer/src/alerts/
 * receipt-queue.ts): a receipt starts a `flushMs` timer unless one runs or a report is on its
 * way; when it fires, everything waiting (at most MAX_RECEIPTS_PER_REPORT) goes in one
 * `POST /api/alerts/receipts` with the desk; whatever arrived meanwhile goes right after the
 * answer, or once the pause the server's last answer asked for is over. Each desk holds its own
 * keep-alive connection, to the server its stream is on. A report that did not get through (no
 * answer, 5xx, 429) goes again after 0.5–1 s, as the page's first retry does; one the server
 * refused (4xx) is dropped. Every failed request is counted.
 */
export class ReceiptReporters {
  private readonly desks: DeskReporter[];
  private totals = emptyTotals();
  private firstSentAt = Number.POSITIVE_INFINITY;
  private lastAnsweredAt = 0;

  constructor(config: SystemConfig, streams: number, flushMs: number) {
    this.desks = Array.from({ length: streams }, (_, stream) => {
      const endpoint = config.endpoints[stream % config.endpoints.length] as Endpoint;
      const headers = { Authorization: `Bearer ${sessionToken(config.tokenSeed, userIdOf(stream))}` };
      return new DeskReporter(new HttpConnection(endpoint), headers, benchDesk(stream), flushMs, (outcome) => this.note(outcome));
    });
  }

  /** Stream `stream` received the event `eventId` of alert `alertId`. */
  report(stream: number, alertId: number, eventId: number): void {
    this.totals.receiptsSent++;
    this.desks[stream]?.add({ alertId, state: 'shown', eventId });
  }

  /** Resolves once no desk has a receipt waiting or a report on its way, or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    const deadline = performance.now() + timeoutMs;
    while (this.desks.some((desk) => desk.busy) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** What was reported since the last call, and starts counting afresh. */
  takeTotals(): ReportingTotals {
    const totals = { ...this.totals, spanSeconds: this.lastAnsweredAt > this.firstSentAt ? (this.lastAnsweredAt - this.firstSentAt) / 1000 : 0 };
    this.totals = emptyTotals();
    this.firstSentAt = Number.POSITIVE_INFINITY;
    this.lastAnsweredAt = 0;
    return totals;
  }

  close(): void {
    for (const desk of this.desks) desk.close();
  }

  private note(outcome: ReportOutcome): void {
    const totals = this.totals;
    totals.requests++;
    if (outcome.recorded === null) {
      totals.failedRequests++;
      totals.failedReceipts += outcome.receipts;
      if (outcome.refused) totals.refusedReceipts += outcome.receipts;
    } else totals.recorded += outcome.recorded;
    if (totals.requestMs.length < REQUEST_SAMPLE_LIMIT) totals.requestMs.push(outcome.answeredAt - outcome.sentAt);
    if (outcome.recorded !== null)
      for (const addedAt of outcome.addedAt) if (totals.receiptLagMs.length < REQUEST_SAMPLE_LIMIT) totals.receiptLagMs.push(outcome.answeredAt - addedAt);
    if (outcome.sentAt < this.firstSentAt) this.firstSentAt = outcome.sentAt;
    if (outcome.answeredAt > this.lastAnsweredAt) this.lastAnsweredAt = outcome.answeredAt;
  }
}

function emptyTotals(): ReportingTotals {
  return { receiptsSent: 0, requests: 0, recorded: 0, failedRequests: 0, failedReceipts: 0, refusedReceipts: 0, requestMs: [], receiptLagMs: [], spanSeconds: 0 };
}

interface ReportOutcome {
  receipts: number;
  /** When each receipt was handed to the desk (performance.now() ms). */
  addedAt: number[];
  /** null: not answered 200. */
  recorded: number | null;
  /** Answered 4xx (other than 429): the page drops such a report. */
  refused: boolean;
  sentAt: number;
  answeredAt: number;
}

class DeskReporter {
  private queue: { receipt: ReportedReceipt; addedAt: number }[] = [];
  private timer: NodeJS.Timeout | null = null;
  private sending = false;
  /** When the server wants this desk's next report at the earliest (performance.now() ms). */
  private notBefore = 0;

  constructor(
    private readonly connection: HttpConnection,
    private readonly headers: Record<string, string>,
    private readonly desk: Desk,
    private readonly flushMs: number,
    private readonly onOutcome: (outcome: ReportOutcome) => void,
  ) {}

  get busy(): boolean {
    return this.sending || this.timer !== null || this.queue.length > 0;
  }

  add(receipt: ReportedReceipt): void {
    this.queue.push({ receipt, addedAt: performance.now() });
    this.schedule(this.flushMs);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.queue = [];
    this.connection.close();
  }

  private schedule(delay: number): void {
    if (this.timer !== null || this.sending) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, Math.max(delay, this.notBefore - performance.now()));
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0) return;
    this.sending = true;
    const batch = this.queue.splice(0, MAX_RECEIPTS_PER_REPORT);
    const report: ReceiptReport = { desk: this.desk, receipts: batch.map(({ receipt }) => receipt) };
    const sentAt = performance.now();
    let recorded: number | null = null;
    let refused = false;
    try {
      const answer = await this.connection.post('/api/alerts/receipts', this.headers, JSON.stringify(report));
      if (answer.status === 200) {
        const response = JSON.parse(answer.body) as ReceiptReportResponse;
        recorded = response.recorded;
        this.notBefore = performance.now() + response.nextReportInMs;
      } else refused = answer.status >= 400 && answer.status < 500 && answer.status !== 429;
    } catch {
      // No answer: counted below, and sent again.
    }
    this.sending = false;
    this.onOutcome({ receipts: batch.length, addedAt: batch.map(({ addedAt }) => addedAt), recorded, refused, sentAt, answeredAt: performance.now() });
    if (recorded === null && !refused) {
      this.queue.unshift(...batch);
      this.schedule(RETRY_MS * (1 + Math.random()));
    } else if (this.queue.length > 0) this.schedule(0);
  }
}
