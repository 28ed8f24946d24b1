import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './test-port.js';
import { redisServerArguments } from '../../scripts/redis-server-arguments.js';
import { waitForRedis } from '../../scripts/wait-for-redis.js';
import { LOOPBACK_HOST, type TestHost } from './test-host.js';

export { freePort };

/** A real redis-server on a free port (of loopback, or of `host`) with its own temporary directory. */
export interface TestRedis {
  port: number;
  url: string;
  dir: string;
  /** Stops the server; with `keepData` its files stay so `start()` can bring the same data back. */
  stop(options?: { keepData?: boolean }): Promise<void>;
  /** Starts it again on the same port (after `stop({ keepData: true })`). */
  start(): Promise<void>;
  /** Wipes every key, as a Redis restart without persistence would. */
  flushAll(): Promise<void>;
  /** SIGSTOP: the server keeps its connections and answers nothing, as a hung or swapping Redis does. */
  pause(): void;
  /** SIGCONT after pause(). */
  resume(): void;
}

export interface TestRedisOptions {
  appendOnly?: boolean;
  /**
   * `always` (the default here): every write is on disk before the test kills the server, so a
   * restart keeps it all. `everysec`: Redis's own default.
   */
  appendFsync?: 'always' | 'everysec';
  /** Where it runs and listens; this machine's loopback by default. */
  host?: TestHost;
}

export async function startTestRedis(options: TestRedisOptions = {}): Promise<TestRedis> {
  const host = options.host ?? LOOPBACK_HOST;
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-redis-'));
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    child = spawn(
      ...host.command([
        'redis-server',
        ...redisServerArguments({
          port,
          dir,
          appendOnly: options.appendOnly ?? false,
          bind: host.address,
          extra: ['--appendfsync', options.appendFsync ?? 'always', '--loglevel', 'warning'],
        }),
      ]),
      { stdio: ['ignore', 'ignore', 'inherit'] },
    );
    await waitForRedis(port, 10_000, host.address);
  };

  const stop = async ({ keepData = false } = {}): Promise<void> => {
    const running = child;
    child = undefined;
    if (running && running.exitCode === null) {
      const exited = new Promise((resolve) => running.once('exit', resolve));
      running.kill('SIGKILL');
      await exited;
    }
    if (!keepData) rmSync(dir, { recursive: true, force: true });
  };

  await start();
  return {
    port,
    url: `redis://${host.address}:${port}`,
    dir,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    async flushAll() {
      const client = new Redis(port, host.address, { lazyConnect: true });
      await client.connect();
      await client.flushall();
      client.disconnect();
    },
  };
}
