import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PhaseResult, ScenarioResult } from './load-generator/scenario-types.js';
import type { SystemName } from './load-generator/systems.js';
import type { ScenarioId } from './scenarios.js';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** Summaries kept in the repository, one file per scenario, from which RESULTS.md is made. */
export const RESULTS_DIR = join(BENCH_DIR, 'results');
/** Everything of every invocation, raw latencies included (git-ignored). */
export const OUT_DIR = join(BENCH_DIR, 'out');

export interface RunRecord {
  system: SystemName;
  run: number;
  result: ScenarioResult;
}

export interface ScenarioRecord {
  scenario: ScenarioId;
  title: string;
  command: string;
  date: string;
  commit: string;
  machine: string;
  runs: RunRecord[];
}

/** Raw record (with latency samples) under bench/out; the summary without samples under bench/results. */
export function saveScenarioRecord(record: ScenarioRecord, keepSummary: boolean): void {
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(join(OUT_DIR, rawRecordName(record)), JSON.stringify(record));
  if (!keepSummary) return;
  mkdirSync(RESULTS_DIR, { recursive: true });
  const summary: ScenarioRecord = {
    ...record,
    runs: record.runs.map((run) => ({
      ...run,
      result: { ...run.result, phases: run.result.phases.map(({ latencySample: _dropped, ...phase }) => phase) },
    })),
  };
  writeFileSync(join(RESULTS_DIR, `scenario-${record.scenario}.json`), `${JSON.stringify(summary, null, 1)}\n`);
}

export function loadScenarioRecords(): ScenarioRecord[] {
  if (!existsSync(RESULTS_DIR)) return [];
  return readdirSync(RESULTS_DIR)
    .filter((name) => /^scenario-\d+\.json$/.test(name))
    .sort((a, b) => Number(a.match(/\d+/)![0]) - Number(b.match(/\d+/)![0]))
    .map((name) => JSON.parse(readFileSync(join(RESULTS_DIR, name), 'utf8')) as ScenarioRecord);
}

/** The raw record (with latency samples) a summary was made from, when this machine still has it. */
export function loadRawRecord(summary: Pick<ScenarioRecord, 'scenario' | 'date'>): ScenarioRecord | null {
  const file = join(OUT_DIR, rawRecordName(summary));
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as ScenarioRecord) : null;
}

function rawRecordName(record: Pick<ScenarioRecord, 'scenario' | 'date'>): string {
  return `scenario-${record.scenario}-${record.date.replace(/[:.]/g, '-')}.json`;
}

/** A phase's numbers as flat keys: `delivery.latencyMs.p99`, `figures.bytesPerStream`, … */
export function flattenPhase(phase: PhaseResult): Record<string, number> {
  const flat: Record<string, number> = { streams: phase.streams };
  const walk = (value: unknown, prefix: string) => {
    if (typeof value === 'number') flat[prefix] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) walk(inner, prefix ? `${prefix}.${key}` : key);
    }
  };
  walk({ resources: phase.resources, delivery: phase.delivery, figures: phase.figures }, '');
  return flat;
}

export function median(values: readonly number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export interface MedianPhase {
  name: string;
  runs: number;
  values: Record<string, number>;
}

/** Per phase name, the median of every number over the runs of one system. */
export function medianPhases(runs: readonly RunRecord[], system: SystemName): MedianPhase[] {
  const ofSystem = runs.filter((run) => run.system === system);
  const names: string[] = [];
  for (const run of ofSystem) for (const phase of run.result.phases) if (!names.includes(phase.name)) names.push(phase.name);
  return names.map((name) => {
    const flats = ofSystem
      .map((run) => run.result.phases.find((phase) => phase.name === name))
      .filter((phase): phase is PhaseResult => phase !== undefined)
      .map(flattenPhase);
    const keys = new Set(flats.flatMap((flat) => Object.keys(flat)));
    const values: Record<string, number> = {};
    for (const key of keys) values[key] = median(flats.map((flat) => flat[key] ?? Number.NaN));
    return { name, runs: flats.length, values };
  });
}

/** Health counters summed over the runs of one system. */
export function healthTotals(runs: readonly RunRecord[], system: SystemName): ScenarioResult['health'] {
  const totals = { failedOpens: 0, droppedByServer: 0, idRegressions: 0, resyncs: 0 };
  for (const run of runs.filter((r) => r.system === system)) {
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += run.result.health[key];
  }
  return totals;
}
