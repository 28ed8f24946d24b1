import { performance } from 'node:perf_hooks';

/**
 * Work that gives way to I/O: each job runs in the event loop's check phase (setImmediate),
 * after the sockets that were ready in that turn were read, and a turn runs jobs for at most
 * `sliceMs`. Meant for bookkeeping requests that arrive by the thousand (desks' receipts): a
 * Redis reply or a published event that became readable in the same turn is handled first,
 * instead of behind every report that arrived with it.
 */
export class AfterIoQueue {
  private jobs: Array<() => void> = [];
  private scheduled = false;

  constructor(
    private readonly sliceMs: number,
    /** A job that throws costs only itself; what it threw goes here. */
    private readonly onError: (error: unknown) => void,
  ) {}

  push(job: () => void): void {
    this.jobs.push(job);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(this.runSlice);
  }

  private readonly runSlice = (): void => {
    const jobs = this.jobs;
    const ends = performance.now() + this.sliceMs;
    let next = 0;
    do {
      try {
        jobs[next++]!();
      } catch (error) {
        this.onError(error);
      }
    } while (next < jobs.length && performance.now() < ends);
    this.jobs = jobs.slice(next);
    if (this.jobs.length > 0) setImmediate(this.runSlice);
    else this.scheduled = false;
  };
}
