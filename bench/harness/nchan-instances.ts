import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from '../../test/support/redis-server.js';
import type { Endpoint } from '../load-generator/systems.js';
import type { RunningServers } from './clinicpulse-servers.js';

const run = promisify(execFile);
const SCRIPT = join(dirname(fileURLToPath(import.meta.url)), '..', 'nchan', 'nchan.sh');

/**
 * n nginx + Nchan instances (one worker each, as each ClinicPulse server is one process) on
 * loopback, sharing one Redis, each with a temporary prefix of its own.
 */
export async function startNchanInstances(options: { count: number; redisUrl: string }): Promise<RunningServers> {
  const started: { prefix: string; pid: number; endpoint: Endpoint }[] = [];
  const stop = async () => {
    for (const instance of started) {
      await run(SCRIPT, ['stop', instance.prefix]);
      rmSync(instance.prefix, { recursive: true, force: true });
    }
  };
  try {
    for (let i = 0; i < options.count; i++) {
      const prefix = mkdtempSync(join(tmpdir(), 'clinicpulse-nchan-'));
      const port = await freePort();
      const { stdout } = await run(SCRIPT, ['start', prefix, String(port), options.redisUrl, '1']);
      started.push({ prefix, pid: Number(stdout.trim()), endpoint: { host: '127.0.0.1', port } });
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoints: started.map((s) => s.endpoint), pids: started.map((s) => s.pid), stop };
}
