import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SystemName } from './load-generator/systems.js';
import { renderPlots } from './plots.js';
import { BENCH_DIR, healthTotals, loadScenarioRecords, medianPhases, type MedianPhase, type ScenarioRecord } from './results-store.js';

const RESULTS_FILE = join(BENCH_DIR, 'RESULTS.md');
const BEGIN = '<!-- generated:begin (npm run bench -- --report rewrites this part; edit below the end marker) -->';
const END = '<!-- generated:end -->';

type Phases = Record<SystemName, MedianPhase[]>;

/** Rewrites the generated part of bench/RESULTS.md from bench/results/, keeping the analysis below it. */
export async function writeReport(): Promise<void> {
  const records = loadScenarioRecords();
  const plots = await renderPlots(records);
  const generated = [BEGIN, '', ...renderTargets(records), ...records.flatMap((record) => renderScenario(record, plots)), END].join('\n');
  const existing = existsSync(RESULTS_FILE) ? readFileSync(RESULTS_FILE, 'utf8') : `# Benchmark results\n\n${BEGIN}\n${END}\n`;
  const start = existing.indexOf(BEGIN);
  const end = existing.indexOf(END);
  const next =
    start === -1 || end === -1 ? `${existing.trimEnd()}\n\n${generated}\n` : `${existing.slice(0, start)}${generated}${existing.slice(end + END.length)}`;
  writeFileSync(RESULTS_FILE, next);
}

function phasesOf(record: ScenarioRecord): Phases {
  return { clinicpulse: medianPhases(record.runs, 'clinicpulse'), nchan: medianPhases(record.runs, 'nchan') };
}

function value(phases: MedianPhase[], name: string, key: string): number {
  return phases.find((phase) => phase.name === name)?.values[key] ?? Number.NaN;
}

function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return '–';
  return x.toFixed(digits);
}

function ratio(ours: number, theirs: number): string {
  return Number.isFinite(ours) && Number.isFinite(theirs) && theirs !== 0 ? `${(ours / theirs).toFixed(2)}×` : '–';
}

const kb = (bytes: number) => bytes / 1024;

function renderTargets(records: ScenarioRecord[]): string[] {
  const find = (id: string) => records.find((record) => record.scenario === id);
  const rows: string[] = [];
  const s1 = find('1');
  if (s1) {
    const p = phasesOf(s1);
    const ours = kb(value(p.clinicpulse, 'idle 10000', 'figures.bytesPerStream'));
    const theirs = kb(value(p.nchan, 'idle 10000', 'figures.bytesPerStream'));
    rows.push(`| Memory: 10,000 idle streams, server + Redis RSS growth ≤ 10 KB/stream | ${fmt(ours, 1)} KB | ${fmt(theirs, 1)} KB | ${ratio(ours, theirs)} | ${met(ours <= 10)} |`);
  }
  const s8 = find('8');
  if (s8) {
    const p = phasesOf(s8);
    const top = p.clinicpulse.filter((phase) => phase.name.startsWith('idle')).at(-1);
    const name = top?.name ?? '';
    const streams = top?.values.streams ?? Number.NaN;
    const ours = kb(value(p.clinicpulse, name, 'figures.bytesPerStream'));
    const theirs = kb(value(p.nchan, name, 'figures.bytesPerStream'));
    const opens = value(p.clinicpulse, name, 'figures.opensPerSecond');
    const notice = p.clinicpulse.find((phase) => phase.name.startsWith('notice to all'));
    const last = notice?.values['figures.allDeliveredMs'] ?? Number.NaN;
    const lastNchan = p.nchan.find((phase) => phase.name.startsWith('notice to all'))?.values['figures.allDeliveredMs'] ?? Number.NaN;
    rows.push(`| Streams (8): ${fmt(streams, 0)} idle streams in one process (the machine's limit; issue 15 asks 50,000) at ≤ 5 KB each | ${fmt(ours, 1)} KB | ${fmt(theirs, 1)} KB | ${ratio(ours, theirs)} | ${met(ours <= 5)} |`);
    rows.push(`| Streams (8): opened at ≥ 5,000/s (last step) | ${fmt(opens, 0)}/s | ${fmt(value(p.nchan, name, 'figures.opensPerSecond'), 0)}/s | – | ${met(opens >= 5000)} |`);
    rows.push(`| Streams (8): one notice to all of them delivered within 1 s | ${fmt(last, 1)} ms | ${fmt(lastNchan, 1)} ms | ${ratio(last, lastNchan)} | ${met(last <= 1000)} |`);
  }
  const s2 = find('2');
  if (s2) {
    const p = phasesOf(s2);
    const name = 'R=5000';
    const ours = value(p.clinicpulse, name, 'delivery.latencyMs.p99');
    const theirs = value(p.nchan, name, 'delivery.latencyMs.p99');
    const faults = ['lost', 'duplicates', 'outOfOrder'].reduce((sum, key) => sum + value(p.clinicpulse, name, `delivery.${key}`), 0);
    const nchanRate = value(p.nchan, name, 'figures.achievedPublishRate');
    const keptUp = nchanRate >= 0.98 * 5000 ? '' : ` (its publishes reached only ${fmt(nchanRate, 0)}/s: saturated)`;
    rows.push(`| Per-user (2): 5,000 streams, 5,000 ev/s, p99 ≤ Nchan's and nothing lost, repeated or out of order | p99 ${fmt(ours)} ms, lost/dup/ooo ${fmt(faults, 0)} | p99 ${fmt(theirs)} ms${keptUp} | ${ratio(ours, theirs)} | ${met(ours <= theirs && faults === 0)} |`);
    const low = 'R=1000';
    const oursLow = value(p.clinicpulse, low, 'delivery.latencyMs.p99');
    const theirsLow = value(p.nchan, low, 'delivery.latencyMs.p99');
    rows.push(`| Per-user (2) at 1,000 ev/s, for reference: p99 | ${fmt(oursLow)} ms | ${fmt(theirsLow)} ms | ${ratio(oursLow, theirsLow)} | (not a target) |`);
  }
  const s3 = find('3');
  if (s3) {
    const p = phasesOf(s3);
    const ours = value(p.clinicpulse, 'one notice to 5000', 'figures.allDeliveredWorstMs');
    const theirs = value(p.nchan, 'one notice to 5000', 'figures.allDeliveredWorstMs');
    rows.push(`| Fan-out: one notice to 5,000 users all delivered within 100 ms (worst of the notices) | ${fmt(ours, 1)} ms | ${fmt(theirs, 1)} ms | ${ratio(ours, theirs)} | ${met(ours <= 100)} |`);
    const sustained = p.clinicpulse.find((phase) => phase.name.startsWith('sustained'));
    if (sustained) {
      const lost = sustained.values['delivery.lost'] ?? Number.NaN;
      const nchanLost = value(p.nchan, sustained.name, 'delivery.lost');
      rows.push(`| Fan-out: ${sustained.name} for ${fmt((sustained.values['figures.notices'] ?? 0) / 10, 0)} s, nothing lost | lost ${fmt(lost, 0)} of ${fmt(sustained.values['delivery.expected'] ?? Number.NaN, 0)} | lost ${fmt(nchanLost, 0)} | – | ${met(lost === 0)} |`);
    }
  }
  const s4 = find('4');
  if (s4) {
    const p = phasesOf(s4);
    const ours = value(p.clinicpulse, 'replay 1000', 'figures.medianMs');
    const theirs = value(p.nchan, 'replay 1000', 'figures.medianMs');
    rows.push(`| Replay: 1,000 missed events recovered within 13 ms (median reconnect) | ${fmt(ours)} ms | ${fmt(theirs)} ms | ${ratio(ours, theirs)} | ${met(ours <= 13)} |`);
  }
  const s5 = find('5');
  if (s5) {
    const p = phasesOf(s5);
    const ours = value(p.clinicpulse, 'R=5000', 'delivery.latencyMs.p99');
    const theirs = value(p.nchan, 'R=5000', 'delivery.latencyMs.p99');
    rows.push(`| Two processes (5): as (2), p99 at 5,000 ev/s | ${fmt(ours)} ms | ${fmt(theirs)} ms | ${ratio(ours, theirs)} | ${met(ours <= theirs)} |`);
  }
  rows.push(...messagePathTargets(find('6'), find('7')));
  const s11 = find('11');
  if (s11) {
    const p = phasesOf(s11);
    const at = (key: string) => value(p.clinicpulse, `R=${sustainedRate(p.clinicpulse)}`, key);
    rows.push(`| Scaled (11): highest rate sustained by three processes on PostgreSQL and a Redis Cluster (for reference; CPU includes PostgreSQL's) | ${fmt(sustainedRate(p.clinicpulse), 0)}/s, ${fmt(at('figures.cpuPerMessageMs'), 2)} ms CPU per message | – | – | (not a target) |`);
  }
  rows.push(...receiptsTargets(find('9'), '9'), ...receiptsTargets(find('10'), '10, two processes'));
  if (rows.length === 0) return [];
  return [
    '## Targets at a glance',
    '',
    'Medians over the runs of each scenario; ratio = ClinicPulse ÷ Nchan (below 1× is better for ClinicPulse).',
    '',
    '| target | ClinicPulse | Nchan | ratio | met |',
    '|---|---:|---:|---:|:---:|',
    ...rows,
    '',
  ];
}

function met(yes: boolean): string {
  return yes ? 'yes' : '**no**';
}

function renderScenario(record: ScenarioRecord, plots: Map<string, string>): string[] {
  const p = phasesOf(record);
  const runs = Math.max(...record.runs.map((run) => run.run));
  const health = (system: SystemName) => {
    const h = healthTotals(record.runs, system);
    return `${system}: ${h.failedOpens} failed opens, ${h.droppedByServer} streams dropped by the server, ${h.idRegressions} id regressions, ${h.resyncs} resyncs`;
  };
  const systems = (['clinicpulse', 'nchan'] as const).filter((system) => record.runs.some((run) => run.system === system));
  const lines = [
    `## Scenario ${record.scenario}: ${record.title}`,
    '',
    `\`${record.command}\` — ${record.date}, commit \`${record.commit}\`, ${runs} run(s) per system, medians shown.  `,
    `Machine: ${record.machine}.  `,
    `Stream health over all runs — ${systems.map(health).join('; ')}.`,
    '',
  ];
  const job = record.scenario;
  if (job === '1' || job === '8') lines.push(...idleTable(p));
  else if (job === '2' || job === '5' || job === '12') lines.push(...deliveryTable(p));
  else if (job === '3') lines.push(...fanoutTable(p));
  else if (job === '6' || job === '7' || job === '11') lines.push(...messagePathTable(p));
  else if (job === '9' || job === '10') lines.push(...receiptsTable(p));
  else lines.push(...replayTable(p));
  const plot = plots.get(record.scenario);
  if (plot) lines.push('', `![latency distribution, scenario ${record.scenario}](${plot})`);
  lines.push('');
  return lines;
}

function idleTable(p: Phases): string[] {
  const rows = p.clinicpulse
    .filter((phase) => phase.name.startsWith('idle'))
    .map((phase) => {
      const ours = phase.values;
      const theirs = p.nchan.find((other) => other.name === phase.name)?.values ?? {};
      const k = (values: Record<string, number>, key: string) => kb(values[key] ?? Number.NaN);
      return `| ${fmt(ours.streams ?? Number.NaN, 0)} | ${fmt(k(ours, 'figures.bytesPerStream'), 1)} (${fmt(k(ours, 'figures.serverBytesPerStream'), 1)} + ${fmt(k(ours, 'figures.redisBytesPerStream'), 1)}) | ${fmt(k(theirs, 'figures.bytesPerStream'), 1)} (${fmt(k(theirs, 'figures.serverBytesPerStream'), 1)} + ${fmt(k(theirs, 'figures.redisBytesPerStream'), 1)}) | ${ratio(ours['figures.bytesPerStream'] ?? Number.NaN, theirs['figures.bytesPerStream'] ?? Number.NaN)} | ${fmt((ours['resources.serverRssAfterBytes'] ?? Number.NaN) / 2 ** 20, 0)} / ${fmt((theirs['resources.serverRssAfterBytes'] ?? Number.NaN) / 2 ** 20, 0)} | ${fmt(ours['figures.openSeconds'] ?? Number.NaN, 1)} / ${fmt(theirs['figures.openSeconds'] ?? Number.NaN, 1)} |`;
    });
  const live = (system: SystemName) => p[system].find((phase) => phase.name.startsWith('liveness') || phase.name.startsWith('notice to all'));
  const toAll = live('clinicpulse')?.name.startsWith('notice to all') ?? false;
  const liveness = (['clinicpulse', 'nchan'] as const).map((system) => {
    const v = live(system)?.values ?? {};
    const last = toAll ? `, the last after ${fmt(v['figures.allDeliveredMs'] ?? Number.NaN, 1)} ms` : '';
    return `${system}: ${fmt(v['delivery.received'] ?? Number.NaN, 0)} of ${fmt(v['delivery.expected'] ?? Number.NaN, 0)} delivered${last}, p99 ${fmt(v['delivery.latencyMs.p99'] ?? Number.NaN)} ms`;
  });
  const rate = (values: Record<string, number> | undefined) => fmt(values?.['figures.opensPerSecond'] ?? Number.NaN, 0);
  const opening = p.clinicpulse
    .filter((phase) => phase.name.startsWith('idle') && phase.values['figures.opensPerSecond'] !== undefined)
    .map((phase) => `${fmt(phase.values.streams ?? Number.NaN, 0)}: ${rate(phase.values)} / ${rate(p.nchan.find((other) => other.name === phase.name)?.values)}`);
  return [
    'KB per stream = growth of RSS from before the first stream to after the C-th, divided by C; server = the ClinicPulse process or nginx (master + worker), plus redis-server.',
    '',
    '| streams | ClinicPulse KB/stream (server + Redis) | Nchan KB/stream (nginx + Redis) | ratio | server RSS after, MiB (ours / Nchan) | seconds to open this step (ours / Nchan) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...rows,
    '',
    ...(opening.length > 0 ? [`Streams opened per second in each step (ours / Nchan), 200 handshakes at a time — ${opening.join('; ')}.`, ''] : []),
    toAll
      ? `One notice to all the streams at once afterwards (ClinicPulse: \`publishToMany\` to every user; Nchan: one publish to the shared channel) — ${liveness.join('; ')}.`
      : `Liveness check (one event to every open stream afterwards) — ${liveness.join('; ')}.`,
  ];
}

function deliveryRow(system: SystemName, phase: MedianPhase | undefined): string {
  const v = phase?.values ?? {};
  const g = (key: string) => v[key] ?? Number.NaN;
  return `| ${phase?.name ?? '–'} | ${system} | ${fmt(g('delivery.latencyMs.p50'))} | ${fmt(g('delivery.latencyMs.p90'))} | ${fmt(g('delivery.latencyMs.p99'))} | ${fmt(g('delivery.latencyMs.max'), 1)} | ${fmt(g('delivery.deliveredPerSecond'), 0)} | ${fmt(g('delivery.lost'), 0)} / ${fmt(g('delivery.duplicates'), 0)} / ${fmt(g('delivery.outOfOrder'), 0)} | ${fmt(g('resources.serverCpuSeconds'))} | ${fmt(g('resources.redisCpuSeconds'))} | ${fmt(g('resources.generatorCpuSeconds'))} | ${fmt(g('resources.wallSeconds'), 1)} |`;
}

const DELIVERY_HEADER = [
  '| phase | system | p50 ms | p90 ms | p99 ms | max ms | delivered/s | lost / dup / out of order | server CPU s | Redis CPU s | generator CPU s | wall s |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
];

function deliveryTable(p: Phases): string[] {
  const rows = p.clinicpulse.flatMap((phase) => {
    const theirs = p.nchan.find((other) => other.name === phase.name);
    const r = ratio(phase.values['delivery.latencyMs.p99'] ?? Number.NaN, theirs?.values['delivery.latencyMs.p99'] ?? Number.NaN);
    return [deliveryRow('clinicpulse', phase), deliveryRow('nchan', theirs), `| ${phase.name} | ratio p99 | | | ${r} | | | | ${ratio(phase.values['resources.serverCpuSeconds'] ?? Number.NaN, theirs?.values['resources.serverCpuSeconds'] ?? Number.NaN)} | | | |`];
  });
  const connected = p.clinicpulse[0]?.values;
  const nchanConnected = p.nchan[0]?.values;
  const mib = (x: number | undefined) => fmt((x ?? Number.NaN) / 2 ** 20, 0);
  return [
    ...DELIVERY_HEADER,
    ...rows,
    '',
    `Server RSS before → after connecting the streams: ClinicPulse ${mib(connected?.['figures.serverRssBeforeConnectBytes'])} → ${mib(connected?.['figures.serverRssConnectedBytes'])} MiB (Redis ${mib(connected?.['figures.redisRssBeforeConnectBytes'])} → ${mib(connected?.['figures.redisRssConnectedBytes'])}); Nchan ${mib(nchanConnected?.['figures.serverRssBeforeConnectBytes'])} → ${mib(nchanConnected?.['figures.serverRssConnectedBytes'])} MiB (Redis ${mib(nchanConnected?.['figures.redisRssBeforeConnectBytes'])} → ${mib(nchanConnected?.['figures.redisRssConnectedBytes'])}). Publish rate achieved: ClinicPulse ${p.clinicpulse.map((phase) => fmt(phase.values['figures.achievedPublishRate'] ?? Number.NaN, 0)).join(', ')}/s; Nchan ${p.nchan.map((phase) => fmt(phase.values['figures.achievedPublishRate'] ?? Number.NaN, 0)).join(', ')}/s.`,
  ];
}

function fanoutTable(p: Phases): string[] {
  const row = (system: SystemName, phase: MedianPhase | undefined) => {
    const g = (key: string) => phase?.values[key] ?? Number.NaN;
    return `| ${phase?.name ?? '–'} | ${system} | ${fmt(g('figures.allDeliveredMedianMs'), 1)} | ${fmt(g('figures.allDeliveredWorstMs'), 1)} | ${fmt(g('delivery.latencyMs.p50'))} | ${fmt(g('delivery.latencyMs.p99'))} | ${fmt(g('delivery.received'), 0)} of ${fmt(g('delivery.expected'), 0)} | ${fmt(g('delivery.lost'), 0)} / ${fmt(g('delivery.duplicates'), 0)} / ${fmt(g('delivery.outOfOrder'), 0)} | ${fmt(g('resources.serverCpuSeconds'))} | ${fmt(g('resources.redisCpuSeconds'))} | ${fmt(g('resources.generatorCpuSeconds'))} |`;
  };
  const rows = p.clinicpulse.flatMap((phase) => {
    const theirs = p.nchan.find((other) => other.name === phase.name);
    return [
      row('clinicpulse', phase),
      row('nchan', theirs),
      `| ${phase.name} | ratio | ${ratio(phase.values['figures.allDeliveredMedianMs'] ?? Number.NaN, theirs?.values['figures.allDeliveredMedianMs'] ?? Number.NaN)} | ${ratio(phase.values['figures.allDeliveredWorstMs'] ?? Number.NaN, theirs?.values['figures.allDeliveredWorstMs'] ?? Number.NaN)} | | ${ratio(phase.values['delivery.latencyMs.p99'] ?? Number.NaN, theirs?.values['delivery.latencyMs.p99'] ?? Number.NaN)} | | | | | |`,
    ];
  });
  return [
    'ClinicPulse: `publishToMany` — one id and one history entry per user, one script per 500 users, two scripts in flight; Nchan: one publish to one shared channel (no per-user history). "All delivered" = time from the publish call to the last stream receiving that notice.',
    '',
    '| phase | system | all delivered, median notice, ms | all delivered, worst notice, ms | p50 ms | p99 ms | received | lost / dup / out of order | server CPU s | Redis CPU s | generator CPU s |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}

function replayTable(p: Phases): string[] {
  const row = (system: SystemName) => {
    const v = p[system][0]?.values ?? {};
    const g = (key: string) => v[key] ?? Number.NaN;
    return `| ${system} | ${fmt(g('figures.medianMs'))} | ${fmt(g('figures.bestMs'))} | ${fmt(g('figures.worstMs'))} | ${fmt(g('figures.readyMedianMs'))} | ${fmt(g('figures.missing'), 0)} / ${fmt(g('figures.repeated'), 0)} / ${fmt(g('figures.outOfOrder'), 0)} | ${fmt(g('figures.replays'), 0)} |`;
  };
  const ours = p.clinicpulse[0]?.values['figures.medianMs'] ?? Number.NaN;
  const theirs = p.nchan[0]?.values['figures.medianMs'] ?? Number.NaN;
  return [
    'Time from sending the reconnect request (with `Last-Event-ID`) to receiving the 1,000th missed event; ClinicPulse also sends `ready` after the replay.',
    '',
    '| system | median ms | best ms | worst ms | `ready` at, median ms | missing / repeated / out of order (all replays) | replays per run |',
    '|---|---:|---:|---:|---:|---:|---:|',
    row('clinicpulse'),
    row('nchan'),
    `| ratio | ${ratio(ours, theirs)} | | | | | |`,
  ];
}

/** The highest rate a system sustained (not saturated) in the median of its runs. */
function sustainedRate(phases: MedianPhase[]): number {
  let best = Number.NaN;
  for (const phase of phases) {
    if ((phase.values['figures.saturated'] ?? 1) < 0.5) best = Math.max(Number.isNaN(best) ? 0 : best, phase.values['figures.targetRate'] ?? 0);
  }
  return best;
}

function messagePathTargets(one: ScenarioRecord | undefined, two: ScenarioRecord | undefined): string[] {
  const rows: string[] = [];
  if (one) {
    const p = phasesOf(one);
    const at = (system: SystemName, key: string) => value(p[system], 'R=1000', key);
    const cpuOurs = at('clinicpulse', 'figures.cpuPerMessageMs');
    const cpuTheirs = at('nchan', 'figures.cpuPerMessageMs');
    rows.push(`| Message path (6): server + Redis CPU per message ≤ 0.6 ms (at 1,000/s) | ${fmt(cpuOurs, 3)} ms | ${fmt(cpuTheirs, 3)} ms | ${ratio(cpuOurs, cpuTheirs)} | ${met(cpuOurs <= 0.6)} |`);
    const p99 = at('clinicpulse', 'delivery.latencyMs.p99');
    const lost = at('clinicpulse', 'delivery.lost') + at('clinicpulse', 'delivery.duplicates') + at('clinicpulse', 'delivery.outOfOrder');
    const saturated = at('clinicpulse', 'figures.saturated');
    rows.push(`| Message path (6): 1,000 messages/s through one process, p99 ≤ 25 ms, nothing lost | p99 ${fmt(p99)} ms, lost/dup/ooo ${fmt(lost, 0)}${saturated >= 0.5 ? ', saturated' : ''} | p99 ${fmt(at('nchan', 'delivery.latencyMs.p99'))} ms | ${ratio(p99, at('nchan', 'delivery.latencyMs.p99'))} | ${met(p99 <= 25 && lost === 0 && saturated < 0.5)} |`);
    rows.push(`| Message path (6): highest rate sustained, one process (for reference) | ${fmt(sustainedRate(p.clinicpulse), 0)}/s | ${fmt(sustainedRate(p.nchan), 0)}/s | – | (not a target) |`);
  }
  if (two) {
    const p = phasesOf(two);
    const ours = sustainedRate(p.clinicpulse);
    rows.push(`| Message path (7): ≥ 2,000 messages/s sustained with two processes | ${fmt(ours, 0)}/s | ${fmt(sustainedRate(p.nchan), 0)}/s | – | ${met(ours >= 2000)} |`);
  }
  return rows;
}

function messagePathTable(p: Phases): string[] {
  const row = (system: SystemName, phase: MedianPhase | undefined) => {
    const g = (key: string) => phase?.values[key] ?? Number.NaN;
    const echo = system === 'clinicpulse' ? `${fmt(g('figures.echoP50Ms'))} / ${fmt(g('figures.echoP99Ms'))}` : '–';
    return `| ${phase?.name ?? '–'} | ${system} | ${fmt(g('delivery.latencyMs.p50'))} | ${fmt(g('delivery.latencyMs.p99'))} | ${fmt(g('delivery.latencyMs.max'), 1)} | ${fmt(g('delivery.deliveredPerSecond'), 0)}${g('figures.saturated') >= 0.5 ? ' (saturated)' : ''} | ${fmt(g('delivery.lost'), 0)} / ${fmt(g('delivery.duplicates'), 0)} / ${fmt(g('delivery.outOfOrder'), 0)} | ${fmt(g('figures.serverCpuPerMessageMs'), 3)} + ${fmt(g('figures.redisCpuPerMessageMs'), 3)} = ${fmt(g('figures.cpuPerMessageMs'), 3)} | ${fmt(g('resources.generatorCpuSeconds'))} | ${echo} |`;
  };
  const names = [...new Set([...p.clinicpulse, ...p.nchan].map((phase) => phase.name))].sort(
    (a, b) => Number(a.slice(2)) - Number(b.slice(2)),
  );
  const rows = names.flatMap((name) => {
    const ours = p.clinicpulse.find((phase) => phase.name === name);
    const theirs = p.nchan.find((phase) => phase.name === name);
    const r = (key: string) => ratio(ours?.values[key] ?? Number.NaN, theirs?.values[key] ?? Number.NaN);
    if (p.nchan.length === 0) return [row('clinicpulse', ours)];
    return [row('clinicpulse', ours), row('nchan', theirs), `| ${name} | ratio | ${r('delivery.latencyMs.p50')} | ${r('delivery.latencyMs.p99')} | | | | ${r('figures.cpuPerMessageMs')} | | |`];
  });
  return [
    'ClinicPulse: `POST /api/conversations/:id/messages` with a session (250 senders, one keep-alive connection each), timed from the start of the POST to `new_message` on the recipient\'s stream; "echo" = `message_sent` on the sender\'s own stream. Nchan: `POST /pub/user/<id>` of a message-shaped payload, to the recipient\'s channel. Each rate runs 10 s; the rates step up until one saturates (delivered < 95 % of the rate, or a median over 100 ms). CPU per message = the phase\'s server and Redis CPU ÷ messages sent.',
    '',
    '| rate | system | p50 ms | p99 ms | max ms | delivered/s | lost / dup / out of order | server + Redis CPU per message, ms | generator CPU s | echo p50 / p99 ms |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows,
  ];
}

function receiptsTargets(record: ScenarioRecord | undefined, label: string): string[] {
  if (!record) return [];
  const p = phasesOf(record).clinicpulse;
  const off = value(p, 'receipts off', 'delivery.latencyMs.p99');
  const on = value(p, 'receipts on', 'delivery.latencyMs.p99');
  const faults = ['lost', 'duplicates', 'outOfOrder'].reduce((sum, key) => sum + value(p, 'receipts on', `delivery.${key}`), 0);
  const sent = value(p, 'receipts on', 'figures.receiptStatesExpected');
  const everyOnce =
    value(p, 'receipts on', 'figures.receiptStatesRecorded') === sent &&
    value(p, 'receipts on', 'figures.dbDeliveredRows') + value(p, 'receipts on', 'figures.dbShownRows') === sent &&
    value(p, 'receipts on', 'figures.dbOtherRows') === 0 &&
    value(p, 'receipts on', 'figures.dbRepeatedRows') === 0;
  return [
    `| Receipts (${label}): 5,000 ev/s to 5,000 users, every stream reporting; p99 ≤ 1.5× the same run without receipts | p99 ${fmt(on)} ms vs ${fmt(off)} ms | (no receipts) | ${ratio(on, off)} (on ÷ off) | ${met(on <= 1.5 * off)} |`,
    `| Receipts (${label}): every receipt recorded, exactly once (answers and SQLite); nothing lost, repeated or out of order | ${fmt(value(p, 'receipts on', 'figures.receiptStatesRecorded'), 0)} of ${fmt(sent, 0)} states, lost/dup/ooo ${fmt(faults, 0)} | – | – | ${met(everyOnce && faults === 0)} |`,
  ];
}

function receiptsTable(p: Phases): string[] {
  const row = (phase: MedianPhase) => {
    const g = (key: string) => phase.values[key] ?? Number.NaN;
    const on = phase.name === 'receipts on';
    const receipts = on
      ? `${fmt(g('figures.receiptsSent'), 0)} | ${fmt(g('figures.receiptStatesRecorded'), 0)} of ${fmt(g('figures.receiptStatesExpected'), 0)} | ${fmt(g('figures.dbDeliveredRows'), 0)} / ${fmt(g('figures.dbShownRows'), 0)} / ${fmt(g('figures.dbRepeatedRows'), 0)} | ${fmt(g('figures.receiptRequestsPerSecond'), 0)} (${fmt(g('figures.receiptsPerRequest'))} each, ${fmt(g('figures.receiptRequestsFailed'), 0)} failed) | ${fmt(g('figures.receiptRequestP50Ms'), 1)} / ${fmt(g('figures.receiptRequestP99Ms'), 1)} | ${fmt(g('figures.receiptLagP50Ms') / 1000, 2)} / ${fmt(g('figures.receiptLagP99Ms') / 1000, 2)}`
      : '– | – | – | – | – | –';
    return `| ${phase.name} | ${fmt(g('delivery.latencyMs.p50'))} | ${fmt(g('delivery.latencyMs.p90'))} | ${fmt(g('delivery.latencyMs.p99'))} | ${fmt(g('delivery.latencyMs.max'), 1)} | ${fmt(g('figures.achievedPublishRate'), 0)} | ${fmt(g('delivery.lost'), 0)} / ${fmt(g('delivery.duplicates'), 0)} / ${fmt(g('delivery.outOfOrder'), 0)} | ${receipts} | ${fmt(g('figures.serverLoopLateP99Ms'), 1)} / ${fmt(g('figures.serverLoopLateMaxMs'), 1)} | ${fmt(g('figures.gcPausesOver10Ms'), 0)} of ${fmt(g('figures.gcPauses'), 0)}, ${fmt(g('figures.gcMs'), 0)} ms | ${fmt(g('figures.generatorLoopLateP99Ms'), 1)} / ${fmt(g('figures.generatorLoopLateMaxMs'), 1)} | ${fmt(g('resources.serverCpuSeconds'))} | ${fmt(g('resources.redisCpuSeconds'))} | ${fmt(g('resources.generatorCpuSeconds'))} | ${fmt(g('resources.wallSeconds'), 1)} |`;
  };
  const [off, on] = [p.clinicpulse.find((phase) => phase.name === 'receipts off'), p.clinicpulse.find((phase) => phase.name === 'receipts on')];
  return [
    'ClinicPulse against itself (Nchan has no receipts). The admin\'s notices (`POST /api/admin/system-notifications`, 10 keep-alive connections), each to 50 of the 5,000 users in turn, 100 a second: 5,000 events a second, one a second per user, each carrying its alert. Timed from the start of the notice\'s POST to its arrival on each stream. "Receipts on": every stream\'s desk reports each event as the browser page does (`shown`, which the server records as delivered and shown), 300 ms after the first waiting receipt, in one `POST /api/alerts/receipts` per batch over its own keep-alive connection. Recorded = the sum of the answers\' `recorded`; SQLite = rows of the phase\'s alerts on the bench desks after the phase (delivered / shown / recorded more than once). Receipt at the server = from the event\'s arrival on the stream to the answer to the report that carried it: how late a sender learns it was shown (a routine alert\'s receipts wait for the pause the server asks for under load; an urgent one\'s do not). Event loop late = how late a 10 ms timer ran, p99 / max over the phase\'s notices: the servers\' from their `/metrics` (prom-client; the worst server\'s), with their GC pauses longer than 10 ms, of all, and the time of all — what stalls every stream of a process — and the generator\'s own, which is part of every latency it times.',
    '',
    '| phase | p50 ms | p90 ms | p99 ms | max ms | events/s | lost / dup / out of order | receipts sent | states recorded | SQLite delivered / shown / repeated | receipt requests/s | receipt request p50 / p99 ms | receipt at the server p50 / p99 s | server event loop late p99 / max ms | server GC pauses > 10 ms, time | generator event loop late p99 / max ms | server CPU s | Redis CPU s | generator CPU s | wall s |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...(off ? [row(off)] : []),
    ...(on ? [row(on)] : []),
    '',
    `p99 with receipts ÷ without: ${ratio(on?.values['delivery.latencyMs.p99'] ?? Number.NaN, off?.values['delivery.latencyMs.p99'] ?? Number.NaN)} (target ≤ 1.5×).`,
  ];
}
