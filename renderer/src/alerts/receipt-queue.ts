import type {
  Desk,
  Priority,
  ReceiptReportResponse,
  ReportedReceipt,
} from '../../../common/alerts.js';
import { MAX_RECEIPTS_PER_REPORT } from '../../../common/alerts.js';
import { ApiError } from '../api/api-error.js';

export interface ReceiptQueueOptions {
  desk: () => Desk;
  send(report: { desk: Desk; receipts: ReportedReceipt[] }): Promise<Partial<ReceiptReportResponse>>;
  /** Receipts are gathered this long, so a burst of events is one report. */
  flushMs?: number;
  /** At most this many wait; the oldest go first when a long outage fills the queue. */
  capacity?: number;
  random?: () => number;
}

const DEFAULT_FLUSH_MS = 300;
const DEFAULT_CAPACITY = 2_000;
const MAX_RETRY_MS = 30_000;

/**
 * Receipts of this page, reported in small batches. A report the server refused (400: the page
 * is out of step; 404: an alert no longer there or not this user's) is dropped — sending it
 * again would be refused again; one that did not get through (network, 503) is retried with a
 * growing delay. A signed-out session stops reporting. The server records each state once, so
 * a report that went through although its answer was lost does no harm when it is retried.
 * When the server asks for a pause before the next report (it does under load), the next one
 * waits for it — unless a receipt of an urgent alert waits: its sender must learn within seconds
 * whether it was on screen, so that report goes once gathered, with everything else waiting.
 */
export class ReceiptQueue {
  private queue: Waiting[] = [];
  /** How many of the waiting receipts are of urgent alerts. */
  private urgentWaiting = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  /** When the timer fires (Date.now() ms). */
  private timerAt = 0;
  private sending = false;
  private failures = 0;
  /** When the server wants the next report at the earliest (Date.now() ms). */
  private notBefore = 0;
  private running = false;
  private signedOut = false;
  private readonly flushMs: number;
  private readonly capacity: number;

  constructor(private readonly options: ReceiptQueueOptions) {
    this.flushMs = options.flushMs ?? DEFAULT_FLUSH_MS;
    this.capacity = options.capacity ?? DEFAULT_CAPACITY;
  }

  add(receipt: ReportedReceipt, priority: Priority = 'routine'): void {
    if (this.signedOut) return;
    const urgent = priority === 'urgent';
    this.queue.push({ receipt, urgent });
    if (urgent) this.urgentWaiting += 1;
    if (this.queue.length > this.capacity) this.take(this.queue.length - this.capacity);
    this.schedule(this.flushMs);
  }

  /** Reports again after stop() (React mounts a provider's effects twice in development). */
  start(): void {
    this.running = true;
    if (this.queue.length > 0) this.schedule(this.flushMs);
  }

  stop(): void {
    this.running = false;
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }

  get pending(): number {
    return this.queue.length;
  }

  /** Takes the oldest `count` receipts off the queue. */
  private take(count: number): Waiting[] {
    const taken = this.queue.splice(0, count);
    this.urgentWaiting -= urgentIn(taken);
    return taken;
  }

  private schedule(delay: number): void {
    if (this.sending || !this.running || this.signedOut) return;
    const now = Date.now();
    const at = this.urgentWaiting > 0 ? now + delay : Math.max(now + delay, this.notBefore);
    if (this.timer !== null) {
      if (this.timerAt <= at) return;
      clearTimeout(this.timer);
    }
    this.timerAt = at;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, at - now);
  }

  private async flush(): Promise<void> {
    if (this.queue.length === 0 || !this.running || this.signedOut) return;
    this.sending = true;
    const batch = this.take(MAX_RECEIPTS_PER_REPORT);
    let retry = false;
    try {
      const answer = await this.options.send({
        desk: this.options.desk(),
        receipts: batch.map(({ receipt }) => receipt),
      });
      this.failures = 0;
      // A server of an older version names no pause.
      const pause = typeof answer.nextReportInMs === 'number' ? answer.nextReportInMs : 0;
      this.notBefore = Date.now() + pause;
    } catch (error) {
      if (error instanceof ApiError && error.isUnauthorized) this.signedOut = true;
      else if (
        error instanceof ApiError &&
        (refused(error.status) || error.code === 'validation_failed')
      )
        this.failures = 0;
      else {
        retry = true;
        this.failures += 1;
        this.queue.unshift(...batch);
        this.urgentWaiting += urgentIn(batch);
      }
    } finally {
      this.sending = false;
    }
    if (this.queue.length === 0) return;
    if (!retry) this.schedule(0);
    else {
      const ceiling = Math.min(MAX_RETRY_MS, 1_000 * 2 ** (this.failures - 1));
      this.schedule(ceiling * (0.5 + (this.options.random ?? Math.random)() / 2));
    }
  }
}

interface Waiting {
  receipt: ReportedReceipt;
  urgent: boolean;
}

function urgentIn(waiting: readonly Waiting[]): number {
  return waiting.filter(({ urgent }) => urgent).length;
}

/** The server's no, as opposed to not getting through (0: no answer; 5xx; 429: come back later). */
function refused(status: number): boolean {
  return status >= 400 && status < 500 && status !== 429;
}
