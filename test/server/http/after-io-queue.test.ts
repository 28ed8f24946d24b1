import { describe, expect, it } from 'vitest';
import { AfterIoQueue } from '../../../server/http/after-io-queue.js';

/** Runs three jobs, each of which schedules an immediate of its own; resolves with what ran, in order. */
function runThree(sliceMs: number, throwing: number | null = null): Promise<{ order: string[]; errors: unknown[] }> {
  const order: string[] = [];
  const errors: unknown[] = [];
  const queue = new AfterIoQueue(sliceMs, (error) => errors.push(error));
  return new Promise((resolve) => {
    for (const job of [1, 2, 3]) {
      queue.push(() => {
        order.push(`job ${job}`);
        setImmediate(() => {
          order.push(`after job ${job}`);
          if (job === 3) resolve({ order, errors });
        });
        if (job === throwing) throw new Error(`job ${job} failed`);
      });
    }
  });
}

describe('AfterIoQueue', () => {
  it('runs its jobs in order, as many in one turn as the slice has time for', async () => {
    const { order } = await runThree(60_000);
    expect(order).toEqual(['job 1', 'job 2', 'job 3', 'after job 1', 'after job 2', 'after job 3']);
  });

  it('gives the event loop a turn between jobs once the slice is spent', async () => {
    const { order } = await runThree(0);
    expect(order).toEqual(['job 1', 'after job 1', 'job 2', 'after job 2', 'job 3', 'after job 3']);
  });

  it('hands a failing job to onError and runs the rest', async () => {
    const { order, errors } = await runThree(60_000, 2);
    expect(order.filter((step) => step.startsWith('job'))).toEqual(['job 1', 'job 2', 'job 3']);
    expect(errors).toEqual([new Error('job 2 failed')]);
  });

  it('runs nothing before the check phase: a job pushed now waits for the turn', async () => {
    const ran: string[] = [];
    const queue = new AfterIoQueue(60_000, () => undefined);
    queue.push(() => ran.push('job'));
    ran.push('pushed');
    await new Promise((resolve) => setImmediate(resolve));
    expect(ran).toEqual(['pushed', 'job']);
  });
});
