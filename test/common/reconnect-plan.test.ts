import { describe, expect, it } from 'vitest';
import { ReconnectPlan } from '../../common/reconnect-plan.js';

const tuning = { firstDelayMs: 100, maxDelayMs: 800, firstProbeMs: 250, maxProbeMs: 1_500 };

describe('the reconnect plan the browser and the desktop app share', () => {
  it('backs off while the server answers and the stream fails: doubling to the cap, jittered between half and all, reset by a good stream', () => {
    const values = [0, 1, 0.5, 1, 1, 1];
    const plan = new ReconnectPlan(tuning, () => values.shift() ?? 1);
    const delays = [1, 2, 3, 4, 5, 6].map(() => plan.afterStreamFailure(true));
    expect(delays).toEqual(
      [50, 200, 300, 800, 800, 800].map((delayMs) => ({ action: 'connect', delayMs })),
    );
    plan.connected();
    expect(plan.afterStreamFailure(true)).toEqual({ action: 'connect', delayMs: 100 });
  });

  it('probes a server that does not answer every 1.5 s at most, however long it lasts, and reconnects at once when it answers', () => {
    const plan = new ReconnectPlan(tuning, () => 1);
    // A long outage while streams were failing beforehand: the backoff had grown.
    for (let failure = 0; failure < 10; failure++) plan.afterStreamFailure(true);
    const probes = [plan.afterStreamFailure(false)];
    for (let probe = 0; probe < 40; probe++) probes.push(plan.afterProbe(false));
    expect(probes.slice(0, 4).map((step) => step.delayMs)).toEqual([250, 500, 1_000, 1_500]);
    expect(probes.every((step) => step.action === 'probe' && step.delayMs <= 1_500)).toBe(true);
    expect(plan.afterProbe(true)).toEqual({ action: 'connect', delayMs: 0 });
  });

  it('spreads the probes of many desks instead of sending them in one instant', () => {
    const delays = [0, 0.25, 0.5, 0.75, 1].map((random) => {
      const plan = new ReconnectPlan(tuning, () => random);
      plan.afterStreamFailure(false);
      for (let probe = 0; probe < 7; probe++) plan.afterProbe(false);
      return plan.afterProbe(false).delayMs;
    });
    expect(new Set(delays).size).toBe(5);
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(750);
  });

  it('starts afresh when the network comes back or the computer wakes', () => {
    const plan = new ReconnectPlan(tuning, () => 1);
    plan.afterStreamFailure(true);
    plan.afterStreamFailure(true);
    plan.reset();
    expect(plan.afterStreamFailure(true).delayMs).toBe(100);
  });
});
