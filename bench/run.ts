/**
 * `npm run bench` — ClinicPulse side by side with Nchan, the scenarios of bench/README.md.
 *
 *   npm run bench                         every scenario, both systems, 3 runs each (long: ~25 min)
 *   npm run bench -- --scenario 2,4       some scenarios
 *   npm run bench -- --system clinicpulse only one system
 *   npm run bench -- --runs 1 --streams 1000 --duration 5 --rates 1000
 *   npm run bench -- --smoke              every scenario, small and short (~30 s); not recorded
 *   npm run bench -- --profile            ClinicPulse servers and the generator write CPU profiles to bench/out/profiles
 *   npm run bench -- --report             only rebuild RESULTS.md (and plots) from bench/results/
 *   npm run bench -- --parser-cost        SSE parser cost: common/sse.ts vs the generator's scanner
 *   npm run bench -- --desktop-burst      the desktop main process replaying 1,000 events (ClinicPulse only)
 *
 * Each run of a scenario gets a fresh redis-server and fresh servers; the generator is a process
 * of its own (bench/load-generator/main.ts). Full runs are summarised into bench/results/ and
 * RESULTS.md; raw data goes to bench/out/.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startClinicPulseServers, type RunningServers } from './harness/clinicpulse-servers.js';
import { checkOpenFileLimit, describeMachine, gitCommit } from './harness/environment.js';
import { runGenerator } from './harness/generator-process.js';
import { startNchanInstances } from './harness/nchan-instances.js';
import { startBenchRedis } from './harness/redis.js';
import { startScaledData, type ScaledData } from './harness/scaled-data.js';
import { runDesktopBurst } from './desktop-burst.js';
import { copyUsersDatabase, createUsersDatabase } from './harness/users-database.js';
import type { SystemName } from './load-generator/systems.js';
import { measureParserCost } from './parser-cost.js';
import { writeReport } from './report.js';
import { OUT_DIR, saveScenarioRecord, type RunRecord, type ScenarioRecord } from './results-store.js';
import { SCENARIO_IDS, scenarioSpecs, usersNeeded, type ScenarioId, type ScenarioSpec } from './scenarios.js';
import { printSummary } from './summary.js';

const HISTORY = { historyLength: 1000, historyTtlSeconds: 3600 };
const SYSTEMS: readonly SystemName[] = ['clinicpulse', 'nchan'];

const { values: flags } = parseArgs({
  options: {
    scenario: { type: 'string' },
    system: { type: 'string' },
    runs: { type: 'string' },
    smoke: { type: 'boolean', default: false },
    streams: { type: 'string' },
    duration: { type: 'string' },
    rates: { type: 'string' },
    sustained: { type: 'string' },
    profile: { type: 'boolean', default: false },
    report: { type: 'boolean', default: false },
    'parser-cost': { type: 'boolean', default: false },
    'desktop-burst': { type: 'boolean', default: false },
    'no-record': { type: 'boolean', default: false },
  },
});

function list<T extends string>(value: string | undefined, allowed: readonly T[], what: string): T[] {
  if (value === undefined) return [...allowed];
  const items = value.split(',').map((item) => item.trim());
  for (const item of items) if (!allowed.includes(item as T)) throw new Error(`unknown ${what} "${item}" (one of ${allowed.join(', ')})`);
  return items as T[];
}

function positiveNumber(value: string | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed <= 0) throw new Error(`--${what} must be a positive number`);
  return parsed;
}

async function startSystem(
  system: SystemName,
  spec: ScenarioSpec,
  redisUrl: string,
  databaseTemplate: string,
  workDir: string,
  scaled?: ScaledData,
): Promise<RunningServers> {
  if (system === 'nchan') return startNchanInstances({ count: spec.servers, redisUrl });
  const dataDir = join(workDir, `data-${Date.now()}`);
  copyUsersDatabase(databaseTemplate, dataDir);
  const profileDir = flags.profile ? join(OUT_DIR, 'profiles', `scenario-${spec.id}`) : undefined;
  if (profileDir) mkdirSync(profileDir, { recursive: true });
  return startClinicPulseServers({
    count: spec.servers,
    redisUrl,
    dataDir,
    settings: HISTORY,
    profileDir,
    ...(scaled ? { scaled: { databaseUrl: scaled.databaseUrl, clusterNodes: scaled.clusterNodes } } : {}),
  });
}

/** One Redis (the default), or for a scaled scenario PostgreSQL and a Redis Cluster. */
async function startData(spec: ScenarioSpec, template: string) {
  if (spec.scaled) {
    const scaled = await startScaledData(template);
    return { redisUrl: scaled.redisUrl, redisPids: scaled.redisPids(), extraServerPids: [scaled.postgresPid()], scaled, stop: () => scaled.stop() };
  }
  const { redis, pid } = await startBenchRedis();
  return { redisUrl: redis.url, redisPids: [pid], extraServerPids: [], scaled: undefined, stop: () => redis.stop() };
}

async function runOnce(spec: ScenarioSpec, system: SystemName, run: number, tokenSeed: string, template: string, workDir: string) {
  const data = await startData(spec, template);
  let servers: RunningServers | undefined;
  try {
    servers = await startSystem(system, spec, data.redisUrl, template, workDir, data.scaled);
    return await runGenerator(
      {
        job: spec.job,
        system: {
          name: system,
          endpoints: servers.endpoints,
          redisUrl: data.redisUrl,
          ...(data.scaled ? { redisClusterNodes: data.scaled.clusterNodes } : {}),
          tokenSeed,
          ...HISTORY,
          ...(servers.dataDir ? { dataDir: servers.dataDir } : {}),
        },
        serverPids: [...servers.pids, ...data.extraServerPids],
        redisPids: data.redisPids,
        label: `${spec.id}/${system}/${run}`,
      },
      spec.timeoutMs,
      flags.profile ? join(OUT_DIR, 'profiles', `scenario-${spec.id}`, system) : undefined,
    );
  } finally {
    await servers?.stop();
    await data.stop();
  }
}

async function main(): Promise<void> {
  if (flags['parser-cost']) {
    measureParserCost();
    return;
  }
  if (flags.report) {
    await writeReport();
    return;
  }
  if (flags['desktop-burst']) {
    await runDesktopBurst({
      events: flags.smoke ? 200 : 1000,
      runs: positiveNumber(flags.runs, 'runs') ?? (flags.smoke ? 1 : 3),
      profile: flags.profile,
    });
    return;
  }
  const scenarios = list<ScenarioId>(flags.scenario, SCENARIO_IDS, 'scenario');
  const systems = list<SystemName>(flags.system, SYSTEMS, 'system');
  const runs = positiveNumber(flags.runs, 'runs') ?? (flags.smoke ? 1 : 3);
  const specs = scenarioSpecs(flags.smoke, {
    streams: positiveNumber(flags.streams, 'streams'),
    durationSeconds: positiveNumber(flags.duration, 'duration'),
    rates: flags.rates?.split(',').map((rate) => positiveNumber(rate, 'rates') as number),
    sustainedSeconds: positiveNumber(flags.sustained, 'sustained'),
  });
  const chosen = scenarios.map((id) => specs[id]);
  const users = usersNeeded(chosen);
  checkOpenFileLimit(users);
  // Recorded into bench/results only when the scenario ran at its full, documented size.
  const customised = [flags.streams, flags.duration, flags.rates, flags.sustained].some((flag) => flag !== undefined);
  const record = !flags.smoke && !customised && !flags['no-record'] && systems.length === SYSTEMS.length;

  const workDir = mkdtempSync(join(tmpdir(), 'clinicpulse-bench-'));
  const tokenSeed = `bench-${process.pid}-${Date.now()}`;
  const machine = describeMachine();
  const commit = gitCommit();
  const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`;
  const started = Date.now();
  try {
    const template = createUsersDatabase(join(workDir, 'template'), users, tokenSeed);
    process.stderr.write(`${machine}; commit ${commit}; ${users} bench users\n`);
    for (const spec of chosen) {
      const scenarioRecord: ScenarioRecord = {
        scenario: spec.id,
        title: spec.title,
        command,
        date: new Date().toISOString(),
        commit,
        machine,
        runs: [],
      };
      process.stderr.write(`\nScenario ${spec.id}: ${spec.title}\n`);
      for (let run = 1; run <= runs; run++) {
        // Alternate which system goes first, so neither always gets the cooler machine.
        const order = (run % 2 === 1 ? systems : [...systems].reverse()).filter((system) => spec.systems?.includes(system) ?? true);
        for (const system of order) {
          const result = await runOnce(spec, system, run, tokenSeed, template, workDir);
          scenarioRecord.runs.push({ system, run, result } satisfies RunRecord);
        }
      }
      saveScenarioRecord(scenarioRecord, record);
      printSummary(scenarioRecord);
    }
    if (record) await writeReport();
    if (flags.smoke && flags.scenario === undefined) await runDesktopBurst({ events: 200, runs: 1, profile: false });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
  process.stderr.write(`\nDone in ${((Date.now() - started) / 1000).toFixed(0)} s${record ? '; RESULTS.md updated' : ''}.\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
