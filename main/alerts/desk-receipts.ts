import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import {
  MAX_RECEIPTS_PER_REPORT,
  reportedReceipt,
  type Desk,
  type Priority,
  type ReportedReceipt,
} from '../../common/alerts.js';
import type { Clock, TimerHandle } from '../clock.js';
import { writeFileAtomic, type DurableWrite } from '../cursor/atomic-file.js';
import type { HttpFetch } from '../stream/http-fetch.js';

export interface DeskReceiptsOptions {
  serverUrl: string;
  token: string;
  userId: number;
  dataDirectory: string;
  desk: Desk;
  fetch: HttpFetch;
  clock: Clock;
  /** Receipts are gathered this long, so a burst of events is one report. */
  flushMs?: number;
  write?: DurableWrite;
  problem?(detail: string): void;
}

const DEFAULT_FLUSH_MS = 500;
const MAX_RETRY_MS = 60_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** At most this many wait on disk; the oldest go first after a long outage. */
const CAPACITY = 5_000;

const pendingFile = z.array(reportedReceipt).max(CAPACITY);

/** Per server and user, like the cursor: receipts name that user's alerts. */
function pendingPath(dataDirectory: string, serverUrl: string, userId: number): string {
  const server = new URL(serverUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
  return join(dataDirectory, 'receipts', `${server}-user-${userId}.json`);
}

/**
 * This desk's receipts (delivered, shown, held and why) for one signed-in user, reported to
 * the server in small batches. Each one is on disk before it is reported and stays there until
 * the server took it, so a restart sends what was still waiting, and nothing twice: the
 * notifier hands each event over once (its ledger survives restarts), and the server records a
 * state once per alert, user and desk anyway. A report the server refused (an alert gone past
 * retention, or not this user's) is dropped; one that did not get through is retried. When the
 * server asks for a pause before the next report (it does under load), the next one waits —
 * unless a receipt of an urgent alert waits: its sender must learn within seconds whether it
 * was on screen, so that report goes once gathered, with everything else waiting.
 */
export class DeskReceipts {
  private pending: PendingReceipt[] = [];
  /** How many of the pending receipts are of urgent alerts. */
  private urgentPending = 0;
  private timer: TimerHandle | null = null;
  /** When the timer fires (clock ms). */
  private timerAt = 0;
  private sending: Promise<void> | null = null;
  private failures = 0;
  /** When the server wants the next report at the earliest (clock ms). */
  private notBefore = 0;
  private stopped = false;
  private saved: Promise<void> = Promise.resolve();
  private readonly path: string;
  private currentDesk: Desk;

  private constructor(private readonly options: DeskReceiptsOptions) {
    this.path = pendingPath(options.dataDirectory, options.serverUrl, options.userId);
    this.currentDesk = options.desk;
  }

  static async open(options: DeskReceiptsOptions): Promise<DeskReceipts> {
    const receipts = new DeskReceipts(options);
    try {
      const parsed = pendingFile.safeParse(JSON.parse(await readFile(receipts.path, 'utf8')));
      if (parsed.success)
        receipts.pending = parsed.data.map((receipt) => ({ receipt, priority: 'routine' }));
    } catch {
      // Nothing waiting from an earlier run.
    }
    if (receipts.pending.length > 0) receipts.schedule(0);
    return receipts;
  }

  get desk(): Desk {
    return this.currentDesk;
  }

  /** Renamed in Settings: the next report carries the new name, which the server then shows. */
  set desk(desk: Desk) {
    this.currentDesk = desk;
  }

  /** Resolves once the receipts are on disk. */
  addAll(receipts: readonly PendingReceipt[]): Promise<void> {
    if (this.stopped || receipts.length === 0) return Promise.resolve();
    this.pending.push(...receipts);
    this.urgentPending += urgentIn(receipts);
    if (this.pending.length > CAPACITY) this.take(this.pending.length - CAPACITY);
    this.schedule(this.options.flushMs ?? DEFAULT_FLUSH_MS);
    return this.save();
  }

  /** Sends what waits now, then stops (sign-out, quit); what could not go stays on disk. */
  async stop(): Promise<void> {
    this.timer?.cancel();
    this.timer = null;
    this.stopped = true;
    await this.sending;
    if (this.pending.length > 0) await this.flush();
    await this.saved;
  }

  private save(): Promise<void> {
    const snapshot = JSON.stringify(this.pending.map(({ receipt }) => receipt));
    this.saved = this.saved
      .then(() => (this.options.write ?? writeFileAtomic)(this.path, snapshot))
      .catch((error: unknown) =>
        this.options.problem?.(`receipts not saved: ${(error as Error).message}`),
      );
    return this.saved;
  }

  /** Takes the oldest `count` receipts off what is pending. */
  private take(count: number): PendingReceipt[] {
    const taken = this.pending.splice(0, count);
    this.urgentPending -= urgentIn(taken);
    return taken;
  }

  private schedule(delay: number): void {
    if (this.sending || this.stopped) return;
    const now = this.options.clock.now();
    const at = this.urgentPending > 0 ? now + delay : Math.max(now + delay, this.notBefore);
    if (this.timer) {
      if (this.timerAt <= at) return;
      this.timer.cancel();
    }
    this.timerAt = at;
    this.timer = this.options.clock.setTimeout(() => {
      this.timer = null;
      let next: number | null = null;
      this.sending = this.flush()
        .then((delay) => {
          next = delay;
        })
        .finally(() => {
          this.sending = null;
          if (next !== null) this.schedule(next);
        });
    }, at - now);
  }

  /** Reports one batch; resolves with when to report again (null: nothing waits). */
  private async flush(): Promise<number | null> {
    const sent = this.pending.slice(0, MAX_RECEIPTS_PER_REPORT);
    const batch = sent.map(({ receipt }) => receipt);
    if (batch.length === 0) return null;
    let retry = false;
    try {
      const response = await this.options.fetch(
        new URL('/api/alerts/receipts', this.options.serverUrl).href,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({ desk: this.currentDesk, receipts: batch }),
          signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
        },
      );
      if (response.ok) this.notBefore = this.options.clock.now() + (await pauseAsked(response));
      else await response.body?.cancel();
      if (response.status >= 500 || response.status === 429 || response.status === 408)
        retry = true;
      else if (!response.ok)
        this.options.problem?.(
          `the server refused ${batch.length} receipts (${response.status}); dropped`,
        );
    } catch (error) {
      retry = true;
      this.options.problem?.(`receipts not reported yet: ${(error as Error).message}`);
    }
    if (retry) {
      this.failures += 1;
      return Math.min(MAX_RETRY_MS, 1_000 * 2 ** (this.failures - 1));
    }
    this.failures = 0;
    // What was added meanwhile stays; only what this report carried goes (not simply the first
    // batch.length: an overflow meanwhile dropped some of them already).
    const carried = new Set(sent);
    this.pending = this.pending.filter((waiting) => !carried.has(waiting));
    this.urgentPending = urgentIn(this.pending);
    await this.save();
    return this.pending.length > 0 ? 0 : null;
  }
}

/** A receipt waiting to be reported, and how urgent its alert is (an urgent one is not paced). */
export interface PendingReceipt {
  receipt: ReportedReceipt;
  priority: Priority;
}

function urgentIn(receipts: readonly PendingReceipt[]): number {
  return receipts.filter(({ priority }) => priority === 'urgent').length;
}

const pauseAnswer = z.object({ nextReportInMs: z.number().int().min(0).max(60_000) });

/** The pause before the next report that an answer asks for (ms); 0 from a server that names none. */
async function pauseAsked(response: Response): Promise<number> {
  const answer = pauseAnswer.safeParse(await response.json().catch(() => null));
  return answer.success ? answer.data.nextReportInMs : 0;
}
