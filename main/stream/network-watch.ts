import type { Clock, TimerHandle } from '../clock.js';

/**
 * Electron's main process has no online/offline event, only `net.isOnline()`; this polls it and
 * reports each change, so the stream reconnects the moment the network comes back instead of
 * waiting out its backoff.
 */
export class NetworkWatch {
  private timer: TimerHandle | undefined;
  private online: boolean;

  constructor(
    private readonly isOnline: () => boolean,
    private readonly clock: Clock,
    private readonly onChange: (online: boolean) => void,
    private readonly intervalMs = 3_000,
  ) {
    this.online = isOnline();
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      const online = this.isOnline();
      if (online !== this.online) {
        this.online = online;
        this.onChange(online);
      }
      this.schedule();
    }, this.intervalMs);
  }
}
