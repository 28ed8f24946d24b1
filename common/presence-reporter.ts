import { PRESENCE_IDLE_AFTER_MS, PRESENCE_REPORT_EVERY_MS } from './presence.js';

export interface PresenceReporterOptions {
  /** How long the person has not used this desk: the page's own activity, or the OS's idle time. */
  idleMs(): number;
  /** `POST /api/presence/report` with this desk's id; a rejection is retried at the next check. */
  report(active: boolean): Promise<unknown>;
  idleAfterMs?: number;
  reportEveryMs?: number;
  /** How often the idle time is looked at. */
  checkEveryMs?: number;
  now?: () => number;
  timers?: {
    setInterval(callback: () => void, ms: number): unknown;
    clearInterval(handle: unknown): void;
  };
}

const CHECK_EVERY_MS = 5_000;

/**
 * What a desk tells the server about its person, the same in the browser and in the desktop
 * app: in use, again every report interval so the server's TTL does not run out, and idle
 * (once) after the idle time, so they show as away; in use again at once when they are back.
 */
export class PresenceReporter {
  private lastActive: boolean | null = null;
  private lastReportAt = 0;
  private timer: unknown;
  private sending = false;
  private readonly idleAfterMs: number;
  private readonly reportEveryMs: number;
  private readonly now: () => number;
  private readonly timers: NonNullable<PresenceReporterOptions['timers']>;

  constructor(private readonly options: PresenceReporterOptions) {
    this.idleAfterMs = options.idleAfterMs ?? PRESENCE_IDLE_AFTER_MS;
    this.reportEveryMs = options.reportEveryMs ?? PRESENCE_REPORT_EVERY_MS;
    this.now = options.now ?? Date.now;
    this.timers = options.timers ?? {
      setInterval: (callback, ms) => globalThis.setInterval(callback, ms),
      clearInterval: (handle) =>
        globalThis.clearInterval(handle as ReturnType<typeof globalThis.setInterval>),
    };
  }

  start(): void {
    if (this.timer !== undefined) return;
    this.timer = this.timers.setInterval(
      () => this.check(),
      this.options.checkEveryMs ?? CHECK_EVERY_MS,
    );
    this.check();
  }

  stop(): void {
    if (this.timer !== undefined) this.timers.clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Looks at the idle time now (also when the person is back after being idle). */
  check(): void {
    if (this.timer === undefined || this.sending) return;
    const active = this.options.idleMs() < this.idleAfterMs;
    const due = active && this.now() - this.lastReportAt >= this.reportEveryMs;
    if (active === this.lastActive && !due) return;
    this.sending = true;
    this.lastReportAt = this.now();
    this.options.report(active).then(
      () => {
        this.lastActive = active;
        this.sending = false;
      },
      () => {
        // Unknown whether the server has it: sent again at the next check.
        this.lastActive = null;
        this.sending = false;
      },
    );
  }
}
