import { healthTotals, medianPhases, type ScenarioRecord } from './results-store.js';

/** Key figures per phase and system (medians over the runs), for the terminal. */
const KEYS: [label: string, key: string, digits: number][] = [
  ['p50 ms', 'delivery.latencyMs.p50', 2],
  ['p90 ms', 'delivery.latencyMs.p90', 2],
  ['p99 ms', 'delivery.latencyMs.p99', 2],
  ['max ms', 'delivery.latencyMs.max', 1],
  ['deliv/s', 'delivery.deliveredPerSecond', 0],
  ['lost', 'delivery.lost', 0],
  ['dup', 'delivery.duplicates', 0],
  ['ooo', 'delivery.outOfOrder', 0],
  ['all-in ms', 'figures.allDeliveredMedianMs', 1],
  ['KB/stream', 'figures.bytesPerStream', 1],
  ['replay ms', 'figures.medianMs', 2],
  ['missing', 'figures.missing', 0],
  ['repeated', 'figures.repeated', 0],
  ['cpu/msg ms', 'figures.cpuPerMessageMs', 3],
  ['saturated', 'figures.saturated', 0],
  ['receipt req/s', 'figures.receiptRequestsPerSecond', 0],
  ['states recorded', 'figures.receiptStatesRecorded', 0],
  ['db rows', 'figures.dbShownRows', 0],
  ['srv loop late p99 ms', 'figures.serverLoopLateP99Ms', 1],
  ['gen loop late p99 ms', 'figures.generatorLoopLateP99Ms', 1],
  ['GC > 10 ms', 'figures.gcPausesOver10Ms', 0],
  ['GC ms', 'figures.gcMs', 0],
  ['srv cpu s', 'resources.serverCpuSeconds', 2],
  ['redis cpu s', 'resources.redisCpuSeconds', 2],
  ['gen cpu s', 'resources.generatorCpuSeconds', 2],
];

export function printSummary(record: ScenarioRecord): void {
  const systems = [...new Set(record.runs.map((run) => run.system))];
  const lines: string[] = [];
  for (const system of systems) {
    const health = healthTotals(record.runs, system);
    lines.push(`  ${system}: ${JSON.stringify(health)}`);
    for (const phase of medianPhases(record.runs, system)) {
      const parts = KEYS.filter(([, key]) => Number.isFinite(phase.values[key]))
        .map(([label, key, digits]) => {
          const value = phase.values[key] as number;
          return `${label} ${(key === 'figures.bytesPerStream' ? value / 1024 : value).toFixed(digits)}`;
        })
        .join(' | ');
      lines.push(`    ${phase.name} (${phase.runs} runs): ${parts}`);
    }
  }
  process.stderr.write(`${lines.join('\n')}\n`);
}
