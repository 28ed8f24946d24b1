import { describe, expect, it } from 'vitest';
import { QuitSequence } from '../../main/lifecycle/quit-sequence.js';
import { ManualClock } from './support/manual-clock.js';

function sequence(shutdown: () => Promise<void>) {
  const clock = new ManualClock();
  const finished: string[] = [];
  const warnings: string[] = [];
  let shutdowns = 0;
  const quit = new QuitSequence({
    shutdown: () => {
      shutdowns++;
      return shutdown();
    },
    finish: (how) => finished.push(how),
    clock,
    timeoutMs: 5_000,
    log: (_level, message) => warnings.push(message),
  });
  return { quit, clock, finished, warnings, shutdowns: () => shutdowns };
}

describe('quitting the desktop app', () => {
  it('shuts down once however often quit is asked, then lets the final quit through', async () => {
    let release!: () => void;
    const { quit, finished, shutdowns } = sequence(
      () => new Promise<void>((resolve) => (release = resolve)),
    );
    expect(quit.willQuit()).toBe(true);
    expect(quit.willQuit()).toBe(true);
    expect(quit.willQuit()).toBe(true);
    expect(shutdowns()).toBe(1);
    expect(finished).toEqual([]);
    release();
    await expect.poll(() => finished).toEqual(['clean']);
    expect(quit.willQuit()).toBe(false);
  });

  it('quits anyway when the shutdown hangs past its bound, and only once', async () => {
    const { quit, clock, finished, warnings } = sequence(() => new Promise<void>(() => undefined));
    expect(quit.willQuit()).toBe(true);
    clock.advance(4_999);
    expect(finished).toEqual([]);
    clock.advance(1);
    expect(finished).toEqual(['timed_out']);
    expect(warnings[0]).toContain('did not finish within 5000 ms');
    expect(quit.willQuit()).toBe(false);
  });

  it('quits after a shutdown that fails, saying why', async () => {
    const { quit, finished, warnings } = sequence(() => Promise.reject(new Error('disk full')));
    quit.willQuit();
    await expect.poll(() => finished).toEqual(['clean']);
    expect(warnings).toEqual(['shutdown failed: disk full']);
  });
});
