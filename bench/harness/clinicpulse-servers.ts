import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawnServerProcess, type ServerProcess } from '../../test/support/test-server.js';
import type { Endpoint } from '../load-generator/systems.js';

export interface ServerSettings {
  historyLength: number;
  historyTtlSeconds: number;
}

export interface RunningServers {
  endpoints: Endpoint[];
  pids: number[];
  /** ClinicPulse: the data directory the servers share. */
  dataDir?: string;
  stop(): Promise<void>;
}

/**
 * n ClinicPulse server processes (`server/main.ts`, as `npm run server` runs it) sharing one
 * Redis and one data directory. Production settings: 15 s heartbeats, no test endpoints, warn
 * logs; a message rate limit no bench sender reaches.
 */
export async function startClinicPulseServers(options: {
  count: number;
  redisUrl: string;
  dataDir: string;
  settings: ServerSettings;
  /** Where each server writes a V8 CPU profile when it exits (harness/cpu-profile-preload.mjs). */
  profileDir?: string;
  /** PostgreSQL instead of SQLite in dataDir, and a Redis Cluster instead of one Redis (harness/scaled-data.ts). */
  scaled?: { databaseUrl: string; clusterNodes: string };
}): Promise<RunningServers> {
  const env: Record<string, string> = {
    NODE_ENV: 'production',
    TEST_ENDPOINTS: 'false',
    HEARTBEAT_SECONDS: '15',
    LOG_LEVEL: 'warn',
    EVENT_HISTORY_LENGTH: String(options.settings.historyLength),
    EVENT_HISTORY_TTL_SECONDS: String(options.settings.historyTtlSeconds),
    // The message path scenarios send up to a dozen messages a second per bench user: the limit
    // stays in the path (its Redis count is part of what a send costs) but never refuses one.
    MESSAGE_RATE_LIMIT: '1000000',
  };
  if (options.profileDir) {
    env.NODE_OPTIONS = `--import ${join(dirname(fileURLToPath(import.meta.url)), 'cpu-profile-preload.mjs')}`;
    env.BENCH_CPU_PROFILE_DIR = options.profileDir;
  }
  const servers: ServerProcess[] = [];
  try {
    for (let i = 0; i < options.count; i++) {
      servers.push(
        await spawnServerProcess({
          redisUrl: options.redisUrl,
          dataDir: options.dataDir,
          demoData: false,
          env,
          ...(options.scaled ? { databaseUrl: options.scaled.databaseUrl, redisClusterNodes: options.scaled.clusterNodes } : {}),
        }),
      );
    }
  } catch (error) {
    await Promise.all(servers.map((server) => server.stop()));
    throw error;
  }
  return {
    endpoints: servers.map((server) => ({ host: '127.0.0.1', port: server.port })),
    pids: servers.map((server) => server.child.pid as number),
    dataDir: options.dataDir,
    async stop() {
      const codes = await Promise.all(servers.map((server) => server.stop()));
      codes.forEach((code, index) => {
        const output = servers[index]?.output().trim() ?? '';
        if (code !== 0 || output) process.stderr.write(`ClinicPulse server ${index} exited with ${code}; it said:\n${output.slice(-4000)}\n`);
      });
    },
  };
}
