import { describe, expect, it } from 'vitest';
import { PresenceReporter } from '../../common/presence-reporter.js';

/** A reporter on a hand-moved clock: `tick` runs one check, as its interval would. */
function reporterWith(fail: () => boolean = () => false) {
  let now = 0;
  let idleSince = 0;
  const reports: { at: number; active: boolean }[] = [];
  let tick = () => undefined as void;
  const reporter = new PresenceReporter({
    idleMs: () => now - idleSince,
    report: async (active) => {
      if (fail()) throw new Error('the server cannot be reached');
      reports.push({ at: now, active });
    },
    idleAfterMs: 300_000,
    reportEveryMs: 30_000,
    now: () => now,
    timers: {
      setInterval: (callback) => {
        tick = callback;
        return 1;
      },
      clearInterval: () => undefined,
    },
  });
  return {
    reporter,
    reports,
    async advance(ms: number) {
      for (let step = 0; step < ms / 5_000; step++) {
        now += 5_000;
        tick();
        await Promise.resolve();
        await Promise.resolve();
      }
    },
    use() {
      idleSince = now;
    },
  };
}

describe('what a desk reports about its person', () => {
  it('in use at start and every 30 s while used, idle once after 5 minutes without use, in use at once when back', async () => {
    const desk = reporterWith();
    desk.reporter.start();
    await desk.advance(0);
    expect(desk.reports).toEqual([{ at: 0, active: true }]);
    for (let minute = 0; minute < 2; minute++) {
      await desk.advance(60_000);
      desk.use();
    }
    expect(desk.reports.map((report) => report.at)).toEqual([0, 30_000, 60_000, 90_000, 120_000]);

    // Nobody at the desk: idle is said once, after 5 minutes, and nothing more meanwhile.
    desk.reports.splice(0);
    await desk.advance(600_000);
    expect(desk.reports.filter((report) => !report.active)).toHaveLength(1);
    expect(desk.reports.find((report) => !report.active)?.at).toBe(120_000 + 300_000);
    expect(desk.reports.at(-1)?.active).toBe(false);

    desk.use();
    desk.reporter.check();
    await desk.advance(0);
    expect(desk.reports.at(-1)).toEqual({ at: 720_000, active: true });
  });

  it('sends again at the next check when a report failed', async () => {
    let failing = true;
    const desk = reporterWith(() => failing);
    desk.reporter.start();
    await desk.advance(5_000);
    expect(desk.reports).toEqual([]);
    failing = false;
    desk.use();
    await desk.advance(5_000);
    expect(desk.reports).toEqual([{ at: 10_000, active: true }]);
  });
});
