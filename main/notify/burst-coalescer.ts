import type { Clock, TimerHandle } from '../clock.js';

export interface BurstOptions {
  /** A batch is flushed once no new item arrived for this long… */
  quietMs: number;
  /** …or once its first item has waited this long, so a steady trickle still shows. */
  maxWaitMs: number;
}

export const DEFAULT_BURST_OPTIONS: BurstOptions = { quietMs: 600, maxWaitMs: 3_000 };

/**
 * Collects items that arrive close together and hands them over as one batch: a trailing
 * debounce with a cap. The caller decides whether a batch becomes one summary or single pop-ups.
 */
export class BurstCoalescer<T> {
  private batch: T[] = [];
  private batchStartedAt = 0;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly options: BurstOptions,
    private readonly onBatch: (items: T[]) => void,
  ) {}

  add(item: T): void {
    if (this.batch.length === 0) this.batchStartedAt = this.clock.now();
    this.batch.push(item);
    this.timer?.cancel();
    const untilCap = this.batchStartedAt + this.options.maxWaitMs - this.clock.now();
    this.timer = this.clock.setTimeout(
      () => this.flush(),
      Math.max(0, Math.min(this.options.quietMs, untilCap)),
    );
  }

  /** Hands over what is waiting now (also used on quit, so nothing recorded goes unshown). */
  flush(): void {
    this.timer?.cancel();
    this.timer = undefined;
    const items = this.batch;
    this.batch = [];
    if (items.length > 0) this.onBatch(items);
  }

  get pending(): number {
    return this.batch.length;
  }
}
