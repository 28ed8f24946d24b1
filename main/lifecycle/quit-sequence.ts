import type { Clock } from '../clock.js';

export interface QuitSequenceOptions {
  /** Shows what waits in the burst window and leaves the cursor on disk. */
  shutdown(): Promise<void>;
  /** Quits for real: `clean` after the shutdown, `timed_out` when it hung. */
  finish(how: 'clean' | 'timed_out'): void;
  clock: Clock;
  timeoutMs: number;
  log?: (level: 'warn', message: string) => void;
}

export const DEFAULT_QUIT_TIMEOUT_MS = 5_000;

/**
 * Quitting, once and within a bound. Electron emits `will-quit` again for every `app.quit()`
 * (the tray's Quit, the OS logging out, the finish call itself), so the first one starts the
 * shutdown, later ones wait for it, and the one after it is let through. A shutdown that hangs
 * (a write stuck on a network drive) is abandoned after `timeoutMs`: the user asked to quit.
 */
export class QuitSequence {
  private phase: 'running' | 'shutting_down' | 'done' = 'running';

  constructor(private readonly options: QuitSequenceOptions) {}

  /** Called from `will-quit`; true means "prevent this quit, the sequence finishes it". */
  willQuit(): boolean {
    if (this.phase === 'done') return false;
    if (this.phase === 'shutting_down') return true;
    this.phase = 'shutting_down';
    const { clock, timeoutMs, log } = this.options;
    const timer = clock.setTimeout(() => {
      log?.('warn', `shutdown did not finish within ${timeoutMs} ms; quitting anyway`);
      this.complete('timed_out');
    }, timeoutMs);
    void this.options
      .shutdown()
      .catch((error: unknown) =>
        log?.('warn', `shutdown failed: ${error instanceof Error ? error.message : String(error)}`),
      )
      .finally(() => {
        timer.cancel();
        this.complete('clean');
      });
    return true;
  }

  get quitting(): boolean {
    return this.phase !== 'running';
  }

  private complete(how: 'clean' | 'timed_out'): void {
    if (this.phase === 'done') return;
    this.phase = 'done';
    this.options.finish(how);
  }
}
