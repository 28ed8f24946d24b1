import { PresenceReporter } from '../../common/presence-reporter.js';
import type { HttpFetch } from '../stream/http-fetch.js';

const REPORT_TIMEOUT_MS = 10_000;

export interface DeskPresenceOptions {
  serverUrl: string;
  token: string;
  fetch: HttpFetch;
  /** This installation's desk id (the one receipts carry). */
  deskId: string;
  /** How long the OS has seen no keyboard or mouse: `powerMonitor.getSystemIdleTime()` in ms. */
  systemIdleMs(): number;
  checkEveryMs?: number;
}

/**
 * The desktop app's side of presence: the person is at this desk while the OS sees input, and
 * away once it has seen none for the idle time, or at once while the screen is locked. Reports go
 * from the main process with the desk's token, whether or not the window is open.
 */
export class DeskPresence {
  private screenLocked = false;
  private readonly reporter: PresenceReporter;

  constructor(private readonly options: DeskPresenceOptions) {
    this.reporter = new PresenceReporter({
      idleMs: () => (this.screenLocked ? Number.POSITIVE_INFINITY : options.systemIdleMs()),
      report: (active) => this.report(active),
      ...(options.checkEveryMs ? { checkEveryMs: options.checkEveryMs } : {}),
    });
  }

  start(): void {
    this.reporter.start();
  }

  stop(): void {
    this.reporter.stop();
  }

  /** The OS screen lock came on or went off: away, or back, now rather than at the next check. */
  setScreenLocked(locked: boolean): void {
    this.screenLocked = locked;
    this.reporter.check();
  }

  private async report(active: boolean): Promise<void> {
    const response = await this.options.fetch(
      new URL('/api/presence/report', this.options.serverUrl).href,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ deskId: this.options.deskId, active }),
        signal: AbortSignal.timeout(REPORT_TIMEOUT_MS),
      },
    );
    await response.body?.cancel();
    if (!response.ok)
      throw new Error(`presence not reported: the server answered ${response.status}`);
  }
}
