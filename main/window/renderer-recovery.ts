import type { Clock } from '../clock.js';

export interface RendererRecoveryOptions {
  clock: Clock;
  /** At most this many reloads… */
  maxReloads?: number;
  /** …within this long; past it the page keeps crashing and reloading would only spin. */
  windowMs?: number;
}

/**
 * What to do when the window's page process is gone (`render-process-gone`): the main process
 * and its stream are fine, so a reload brings the page back where it was. A page that crashes
 * again and again is left down instead of being reloaded in a tight loop; the tray still works.
 */
export class RendererRecovery {
  private readonly reloads: number[] = [];

  constructor(private readonly options: RendererRecoveryOptions) {}

  shouldReload(reason: string): boolean {
    if (reason === 'clean-exit') return false;
    const now = this.options.clock.now();
    const windowMs = this.options.windowMs ?? 60_000;
    while (this.reloads.length > 0 && now - this.reloads[0]! > windowMs) this.reloads.shift();
    if (this.reloads.length >= (this.options.maxReloads ?? 3)) return false;
    this.reloads.push(now);
    return true;
  }
}
