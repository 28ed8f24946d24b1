import type { GeneratorJob } from './load-generator/main.js';

export type ScenarioId = '1' | '2' | '3' | '4' | '5';
export const SCENARIO_IDS: readonly ScenarioId[] = ['1', '2', '3', '4', '5'];

export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  /** ClinicPulse server processes (and Nchan instances) behind the one Redis. */
  servers: number;
  job: GeneratorJob;
  /** Generator time limit: every load loop is bounded, this bounds the whole job too. */
  timeoutMs: number;
}

export interface ScenarioOverrides {
  /** Per-rate phase length for scenarios 2 and 5, seconds. */
  durationSeconds?: number;
  /** Streams for scenarios 2 and 5. */
  streams?: number;
  rates?: number[];
  /** Sustained fan-out length, seconds. */
  sustainedSeconds?: number;
}

/** The scenarios (1)–(5); `smoke` shrinks each to a few seconds and a few hundred streams. */
export function scenarioSpecs(smoke: boolean, overrides: ScenarioOverrides = {}): Record<ScenarioId, ScenarioSpec> {
  const streams = overrides.streams ?? (smoke ? 200 : 5000);
  const rates = overrides.rates ?? (smoke ? [1000] : [1000, 5000]);
  const durationMs = (overrides.durationSeconds ?? (smoke ? 1 : 20)) * 1000;
  const perUser = { streams, rates, durationMs, warmUpMs: smoke ? 300 : 2000, settleMs: smoke ? 200 : 2000, drainMs: 10_000 };
  const perUserTimeout = 120_000 + rates.length * (durationMs + 20_000);
  return {
    '1': {
      id: '1',
      title: 'Idle streams: memory per stream',
      servers: 1,
      job: { scenario: 'idle', params: { levels: smoke ? [200, 500] : [1000, 5000, 10000], settleMs: smoke ? 200 : 3000 } },
      timeoutMs: 300_000,
    },
    '2': {
      id: '2',
      title: 'Per-user delivery',
      servers: 1,
      job: { scenario: 'per-user', params: perUser },
      timeoutMs: perUserTimeout,
    },
    '3': {
      id: '3',
      title: 'Fan-out: one system notice to every stream',
      servers: 1,
      job: {
        scenario: 'fanout',
        params: {
          levels: smoke ? [200, 500] : [1000, 5000],
          notices: smoke ? 3 : 10,
          noticeIntervalMs: smoke ? 100 : 1000,
          sustainedRate: 10,
          sustainedMs: (overrides.sustainedSeconds ?? (smoke ? 1 : 60)) * 1000,
          settleMs: smoke ? 200 : 2000,
          drainMs: 10_000,
        },
      },
      timeoutMs: 300_000,
    },
    '4': {
      id: '4',
      title: 'Replay after reconnect with Last-Event-ID',
      servers: 1,
      job: { scenario: 'replay', params: { missed: 1000, replays: smoke ? 2 : 20, firstUser: 0, timeoutMs: 10_000 } },
      timeoutMs: 300_000,
    },
    '5': {
      id: '5',
      title: 'Per-user delivery, two server processes behind one Redis',
      servers: 2,
      job: { scenario: 'per-user', params: perUser },
      timeoutMs: perUserTimeout,
    },
  };
}

/** Bench users the database needs: the largest stream count any scenario opens, plus spare. */
export function usersNeeded(specs: readonly ScenarioSpec[]): number {
  let most = 1000;
  for (const spec of specs) {
    const job = spec.job;
    if (job.scenario === 'idle') most = Math.max(most, ...job.params.levels);
    else if (job.scenario === 'per-user') most = Math.max(most, job.params.streams);
    else if (job.scenario === 'fanout') most = Math.max(most, ...job.params.levels);
    else most = Math.max(most, job.params.firstUser + job.params.replays);
  }
  return most;
}
