/**
 * `npm start` (after scripts/bootstrap.mjs has installed what is missing): a local Redis unless
 * REDIS_URL/REDIS_HOST is set, the web UI built when stale, the server with demo accounts on
 * first start, then the desktop app. Ctrl-C stops all of it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { config as loadDotenv } from 'dotenv';
import { ConfigError, loadConfig, type Config } from '../server/config.js';
import { DEMO_PASSWORD, DEMO_USERS } from '../server/demo-data.js';
import { startServer, type RunningServer } from '../server/server.js';
import { launchDesktopApp, type DesktopApp } from './desktop-launch.js';
import { freePort, portIsFree } from './free-port.js';
import { redisServerArguments } from './redis-server-arguments.js';
import { rendererBuildIsStale } from './renderer-build-freshness.js';
import { waitForRedis } from './wait-for-redis.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_REDIS_PORT = 6379;

interface LocalRedis {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** redis-server on loopback, its append-only file under DATA_DIR/redis so event history survives restarts. */
async function startLocalRedis(dataDir: string): Promise<LocalRedis> {
  const dir = join(dataDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = (await portIsFree(DEFAULT_REDIS_PORT)) ? DEFAULT_REDIS_PORT : await freePort();
  const child = spawn(
    'redis-server',
    redisServerArguments({ port, dir, appendOnly: true, extra: ['--logfile', 'redis.log'] }),
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
  const failedToSpawn = new Promise<never>((_resolve, reject) =>
    child.once('error', (error) =>
      reject(
        new Error(
          `could not run redis-server: ${error.message} (install Redis 7+, or set REDIS_URL)`,
        ),
      ),
    ),
  );
  const answering = waitForRedis(port).catch((error: Error) => {
    throw new Error(`${error.message}; see ${join(dir, 'redis.log')}`);
  });
  await Promise.race([answering, failedToSpawn]);
  return {
    url: `redis://127.0.0.1:${port}`,
    child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** Builds the web UI when dist/renderer is missing or older than its sources. */
function buildWebUiIfStale(): void {
  const scripts =
    (
      JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
        scripts?: Record<string, string>;
      }
    ).scripts ?? {};
  if (!scripts['build:renderer']) {
    console.log('Web UI: no build:renderer script yet, serving the API only.');
    return;
  }
  if (!rendererBuildIsStale(ROOT)) return;
  console.log('Building the web UI (npm run build:renderer) …');
  const build = spawnSync('npm', ['run', '--silent', 'build:renderer'], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  if (build.status !== 0) console.error('Web UI build failed (see above); the API still runs.');
}

function configure(redisUrl: string | undefined): Config {
  try {
    return loadConfig(redisUrl ? { ...process.env, REDIS_URL: redisUrl } : process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`ClinicPulse: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
}

function printWelcome(url: string): void {
  const width = Math.max(...DEMO_USERS.map((user) => user.username.length));
  console.log(`\nClinicPulse is running at ${url}\n`);
  console.log(`Demo sign-ins (password for all: ${DEMO_PASSWORD}):`);
  for (const user of DEMO_USERS)
    console.log(`  ${user.username.padEnd(width)}  ${user.displayName} (${user.role})`);
  console.log('\nPress Ctrl-C to stop.\n');
}

async function main(): Promise<void> {
  loadDotenv({ quiet: true });
  const dataDir = resolve(ROOT, process.env.DATA_DIR ?? './data');
  process.env.DATA_DIR = dataDir;
  // Request logs would bury the welcome text; `LOG_LEVEL=info npm start` brings them back.
  process.env.LOG_LEVEL ??= 'warn';
  // Validate before starting anything, so a bad setting does not leave a Redis behind.
  configure(undefined);

  const useLocalRedis = !process.env.REDIS_URL && !process.env.REDIS_HOST;
  const redis = useLocalRedis ? await startLocalRedis(dataDir) : undefined;
  if (redis)
    console.log(`Redis: local redis-server at ${redis.url}, data in ${join(dataDir, 'redis')}`);

  let server: RunningServer | undefined;
  let desktop: DesktopApp | null = null;
  let stopping = false;
  const stopAll = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    await desktop?.stop().catch(() => undefined);
    await server
      ?.close()
      .catch((error: unknown) => console.error('error while stopping the server:', error));
    await redis?.stop();
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stopAll(0));
  process.on('SIGTERM', () => void stopAll(0));
  redis?.child.once('exit', (code, signal) => {
    if (stopping) return;
    console.error(
      `redis-server stopped unexpectedly (${code ?? signal}); see ${join(dataDir, 'redis', 'redis.log')}`,
    );
    void stopAll(1);
  });

  try {
    buildWebUiIfStale();
    server = await startServer(configure(redis?.url), { demoData: true });
  } catch (error) {
    console.error(
      `ClinicPulse: could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    await stopAll(1);
    return;
  }
  printWelcome(server.url);
  desktop = await launchDesktopApp({ url: server.url });
}

await main();
