import type { Clock, TimerHandle } from '../../../main/clock.js';

/** A clock that moves only when the test says so; timers fire in time order as it passes them. */
export class ManualClock implements Clock {
  private current: number;
  private timers: { at: number; order: number; callback: () => void; cancelled: boolean }[] = [];
  private order = 0;

  constructor(start: Date | number = new Date(2025, 0, 20, 10, 0, 0)) {
    this.current = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, milliseconds: number): TimerHandle {
    const timer = {
      at: this.current + Math.max(0, milliseconds),
      order: this.order++,
      callback,
      cancelled: false,
    };
    this.timers.push(timer);
    return { cancel: () => void (timer.cancelled = true) };
  }

  advance(milliseconds: number): void {
    const target = this.current + milliseconds;
    for (;;) {
      const due = this.timers
        .filter((timer) => !timer.cancelled && timer.at <= target)
        .sort((a, b) => a.at - b.at || a.order - b.order)[0];
      if (!due) break;
      this.timers = this.timers.filter((timer) => timer !== due);
      this.current = due.at;
      due.callback();
    }
    this.current = target;
  }

  set(date: Date): void {
    this.current = date.getTime();
  }

  get pendingTimers(): number {
    return this.timers.filter((timer) => !timer.cancelled).length;
  }
}
