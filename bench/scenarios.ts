import type { GeneratorJob } from './load-generator/main.js';
import type { SystemName } from './load-generator/systems.js';

export type ScenarioId = '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '10';
export const SCENARIO_IDS: readonly ScenarioId[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];

/**
 * The most streams one process may hold here: the machine's hard limit on open files is 20,000
 * per process (and cannot be raised without CAP_SYS_RESOURCE), which the generator, the server
 * and nginx each need about a thousand of beside their streams.
 */
export const STREAMS_PER_PROCESS_LIMIT = 18_500;

export interface ScenarioSpec {
  id: ScenarioId;
  title: string;
  /** ClinicPulse server processes (and Nchan instances) behind the one Redis. */
  servers: number;
  /** The systems that have what it measures, when not both (Nchan has no receipts). */
  systems?: readonly SystemName[];
  job: GeneratorJob;
  /** Generator time limit: every load loop is bounded, this bounds the whole job too. */
  timeoutMs: number;
}

export interface ScenarioOverrides {
  /** Per-rate phase length for scenarios 2, 5, 6, 7, 9 and 10, seconds. */
  durationSeconds?: number;
  /** Streams for scenarios 2, 5 and 9. */
  streams?: number;
  /** Rates of scenarios 2 and 5 (events/s), 6 and 7 (messages/s) and 9, 10 (events/s, the first). */
  rates?: number[];
  /** Sustained fan-out length, seconds. */
  sustainedSeconds?: number;
}

/**
 * The scenarios (1)–(5) of the first benchmark issue, issue 15's message path, with one (6) and
 * two (7) server processes, and its stream count (8), and issue 11's receipts with one (9) and
 * two (10) server processes; `smoke`
 * shrinks each to a few seconds and a few hundred streams.
 */
export function scenarioSpecs(smoke: boolean, overrides: ScenarioOverrides = {}): Record<ScenarioId, ScenarioSpec> {
  const streams = overrides.streams ?? (smoke ? 200 : 5000);
  const rates = overrides.rates ?? (smoke ? [1000] : [1000, 5000]);
  const durationMs = (overrides.durationSeconds ?? (smoke ? 1 : 20)) * 1000;
  const perUser = { streams, rates, durationMs, warmUpMs: smoke ? 300 : 2000, settleMs: smoke ? 200 : 2000, drainMs: 10_000 };
  const perUserTimeout = 120_000 + rates.length * (durationMs + 20_000);
  const messagePath = (messageRates: number[]) => ({
    pairs: smoke ? 50 : 250,
    rates: overrides.rates ?? (smoke ? [200] : messageRates),
    durationMs: (overrides.durationSeconds ?? (smoke ? 1 : 10)) * 1000,
    warmUpRate: smoke ? 100 : 200,
    warmUpMs: smoke ? 500 : 3000,
    settleMs: smoke ? 200 : 2000,
    drainMs: 15_000,
  });
  const messagePathTimeout = (params: ReturnType<typeof messagePath>) => 120_000 + params.rates.length * (params.durationMs + 40_000);
  const oneProcess = messagePath([250, 500, 1000, 1500, 2000, 3000]);
  const twoProcesses = messagePath([1000, 2000, 2500, 3000, 4000]);
  const receiptsSpec = (id: ScenarioId, title: string, servers: number): ScenarioSpec => ({
    id,
    title,
    servers,
    systems: ['clinicpulse'],
    job: { scenario: 'receipts', params: receipts },
    timeoutMs: 180_000 + 2 * (durationMs + 40_000),
  });
  const receipts = {
    streams,
    noticeSize: 50,
    rate: overrides.rates?.[0] ?? (smoke ? 1000 : 5000),
    durationMs,
    flushMs: 300,
    noticeConnections: 10,
    warmUpMs: smoke ? 500 : 3000,
    settleMs: smoke ? 200 : 2000,
    drainMs: 15_000,
  };
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
    '6': {
      id: '6',
      title: 'The real message path: POST a message, new_message on the recipient\'s stream',
      servers: 1,
      job: { scenario: 'message-path', params: oneProcess },
      timeoutMs: messagePathTimeout(oneProcess),
    },
    '8': {
      id: '8',
      title: 'Idle streams at the machine\'s limit: memory, opening rate, one notice to all',
      servers: 1,
      job: {
        scenario: 'idle',
        params: { levels: smoke ? [300, 600] : [5000, 10000, STREAMS_PER_PROCESS_LIMIT], settleMs: smoke ? 200 : 3000, noticeToAll: true },
      },
      timeoutMs: 300_000,
    },
    '7': {
      id: '7',
      title: 'The real message path, two server processes behind one Redis',
      servers: 2,
      job: { scenario: 'message-path', params: twoProcesses },
      timeoutMs: messagePathTimeout(twoProcesses),
    },
    '9': receiptsSpec('9', 'Receipts on: every stream reports delivered and shown for every event', 1),
    '10': receiptsSpec('10', 'Receipts on, two server processes behind one Redis and one database', 2),
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
    else if (job.scenario === 'message-path') most = Math.max(most, 2 * job.params.pairs);
    else if (job.scenario === 'receipts') most = Math.max(most, job.params.streams);
    else most = Math.max(most, job.params.firstUser + job.params.replays);
  }
  return most;
}
