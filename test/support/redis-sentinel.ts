/**
 * One Redis with a replica and a Sentinel watching them, for tests: free loopback ports, a
 * temporary directory, stopped at the end.
 *
 *   const sentinel = await startTestRedisSentinel();
 *   const server = await startTestServer({ redisUrl: sentinel.url, env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name } });
 *   await sentinel.killPrimary();   // kill -9; resolves once the Sentinel promoted the replica
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { redisServerArguments } from '../../scripts/redis-server-arguments.js';
import { waitForRedis } from '../../scripts/wait-for-redis.js';
import { freePort } from './redis-server.js';

export interface TestRedisSentinel {
  /** REDIS_SENTINELS: `127.0.0.1:<port>` of the Sentinel. */
  sentinels: string;
  /** REDIS_SENTINEL_NAME. */
  name: string;
  /** `redis://` of the first primary, for what only needs a URL shape. */
  url: string;
  /** kill -9 of the current primary; resolves once the Sentinel names the replica instead. */
  killPrimary(): Promise<void>;
  stop(): Promise<void>;
}

const NAME = 'clinicpulse';

export async function startTestRedisSentinel(): Promise<TestRedisSentinel> {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-redis-sentinel-'));
  const [primary, replica, sentinel] = [await freePort(), await freePort(), await freePort()] as [number, number, number];
  const children = new Map<number, ChildProcess>();
  const startRedis = (port: number, extra: string[]) => {
    const nodeDir = join(dir, String(port));
    mkdirSync(nodeDir, { recursive: true });
    children.set(
      port,
      spawn('redis-server', redisServerArguments({ port, dir: nodeDir, appendOnly: false, extra: ['--loglevel', 'warning', ...extra] }), {
        stdio: ['ignore', 'ignore', 'inherit'],
      }),
    );
  };
  const stop = async () => {
    await Promise.all(
      [...children.values()].map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGKILL');
        await exited;
      }),
    );
    children.clear();
    rmSync(dir, { recursive: true, force: true });
  };
  const askSentinel = async (): Promise<number | null> => {
    const client = new Redis(sentinel, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const [, port] = (await client.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', NAME)) as [string, string];
      return Number(port);
    } catch {
      return null;
    } finally {
      client.disconnect();
    }
  };
  const sentinelKnowsReplica = async () => {
    const client = new Redis(sentinel, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return ((await client.call('SENTINEL', 'REPLICAS', NAME)) as unknown[]).length > 0;
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };
  const until = async (check: () => Promise<boolean>, what: string) => {
    const deadline = Date.now() + 30_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`the test Sentinel setup: ${what} within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const replicaInSync = async (port: number) => {
    const client = new Redis(port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on('error', () => undefined);
    try {
      await client.connect();
      return /master_link_status:up/.test(await client.info('replication'));
    } catch {
      return false;
    } finally {
      client.disconnect();
    }
  };

  try {
    startRedis(primary, []);
    startRedis(replica, ['--replicaof', '127.0.0.1', String(primary)]);
    await Promise.all([waitForRedis(primary, 10_000), waitForRedis(replica, 10_000)]);
    await until(() => replicaInSync(replica), 'the replica in sync');
    const sentinelDir = join(dir, 'sentinel');
    mkdirSync(sentinelDir);
    const sentinelConfig = join(sentinelDir, 'sentinel.conf');
    // A Sentinel rewrites its own configuration file, so it gets one of its own.
    writeFileSync(
      sentinelConfig,
      [
        `port ${sentinel}`,
        'bind 127.0.0.1',
        `dir ${sentinelDir}`,
        `sentinel monitor ${NAME} 127.0.0.1 ${primary} 1`,
        `sentinel down-after-milliseconds ${NAME} 1000`,
        `sentinel failover-timeout ${NAME} 5000`,
        '',
      ].join('\n'),
    );
    children.set(sentinel, spawn('redis-server', [sentinelConfig, '--sentinel', '--loglevel', 'warning'], { stdio: ['ignore', 'ignore', 'inherit'] }));
    await waitForRedis(sentinel, 10_000);
    await until(async () => (await askSentinel()) === primary && (await sentinelKnowsReplica()), 'the Sentinel watching the primary and its replica');
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    sentinels: `127.0.0.1:${sentinel}`,
    name: NAME,
    url: `redis://127.0.0.1:${primary}`,
    async killPrimary() {
      const current = await askSentinel();
      const child = current === null ? undefined : children.get(current);
      if (!child || current === null) throw new Error('the Sentinel names no primary');
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
      await until(async () => {
        const now = await askSentinel();
        return now !== null && now !== current;
      }, 'a replica promoted');
    },
    stop,
  };
}
