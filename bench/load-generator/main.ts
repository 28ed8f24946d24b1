/**
 * The load generator process, forked by bench/run.ts: receives one job over IPC, runs it against
 * the system under test, sends the result back and exits. Everything it measures (latency on its
 * own clock, RSS and CPU of the servers and Redis from /proc, its own CPU) is in the result.
 */
import { ResourceProbe } from './resource-probe.js';
import { runFanout, type FanoutParams } from './scenario-fanout.js';
import { runIdle, type IdleParams } from './scenario-idle.js';
import { runMessagePath, type MessagePathParams } from './scenario-message-path.js';
import { runPerUser, type PerUserParams } from './scenario-per-user.js';
import { runReceipts, type ReceiptsParams } from './scenario-receipts.js';
import { runReplay, type ReplayParams } from './scenario-replay.js';
import type { PhaseResult, ScenarioContext, ScenarioResult } from './scenario-types.js';
import { StreamPool } from './stream-pool.js';
import { connectSystem, type SystemConfig } from './systems.js';

export type GeneratorJob =
  | { scenario: 'idle'; params: IdleParams }
  | { scenario: 'per-user'; params: PerUserParams }
  | { scenario: 'fanout'; params: FanoutParams }
  | { scenario: 'replay'; params: ReplayParams }
  | { scenario: 'message-path'; params: MessagePathParams }
  | { scenario: 'receipts'; params: ReceiptsParams };

export interface GeneratorRequest {
  job: GeneratorJob;
  system: SystemConfig;
  /**
   * Root pids of the server processes (ClinicPulse, with PostgreSQL's postmaster on the scaled
   * setup) or nginx masters (Nchan); Redis's pid, or every cluster node's.
   */
  serverPids: number[];
  redisPids: number[];
  label: string;
}

export type GeneratorReply = { ok: true; result: ScenarioResult } | { ok: false; error: string };

async function run(request: GeneratorRequest): Promise<ScenarioResult> {
  const system = connectSystem(request.system);
  const pool = new StreamPool(request.system.name === 'clinicpulse');
  const ctx: ScenarioContext = {
    system,
    config: request.system,
    pool,
    probe: new ResourceProbe(request.serverPids, request.redisPids),
    log: (message) => process.stderr.write(`  [${request.label}] ${message}\n`),
  };
  try {
    await system.prepare();
    const phases = await runJob(ctx, request.job);
    for (const reason of pool.dropReasons()) ctx.log(`dropped: ${reason}`);
    return {
      phases,
      health: {
        failedOpens: pool.failedOpens,
        droppedByServer: pool.droppedByServer(),
        idRegressions: pool.idRegressions,
        resyncs: pool.resyncs,
      },
    };
  } finally {
    pool.closeAll();
    await system.close();
  }
}

function runJob(ctx: ScenarioContext, job: GeneratorJob): Promise<PhaseResult[]> {
  switch (job.scenario) {
    case 'idle':
      return runIdle(ctx, job.params);
    case 'per-user':
      return runPerUser(ctx, job.params);
    case 'fanout':
      return runFanout(ctx, job.params);
    case 'replay':
      return runReplay(ctx, job.params);
    case 'message-path':
      return runMessagePath(ctx, job.params);
    case 'receipts':
      return runReceipts(ctx, job.params);
  }
}

process.once('message', (message: GeneratorRequest) => {
  run(message).then(
    (result) => process.send?.({ ok: true, result } satisfies GeneratorReply, () => process.exit(0)),
    (error: unknown) =>
      process.send?.({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) } satisfies GeneratorReply, () =>
        process.exit(1),
      ),
  );
});
