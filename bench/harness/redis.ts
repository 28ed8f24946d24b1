import { Redis } from 'ioredis';
import { startTestRedis, type TestRedis } from '../../test/support/redis-server.js';

export interface BenchRedis {
  redis: TestRedis;
  pid: number;
}

/** A private redis-server (no persistence) and its pid, read from INFO, for /proc sampling. */
export async function startBenchRedis(): Promise<BenchRedis> {
  const redis = await startTestRedis();
  const client = new Redis(redis.url);
  try {
    const info = await client.info('server');
    const match = /process_id:(\d+)/.exec(info);
    if (!match) throw new Error('INFO server has no process_id');
    return { redis, pid: Number(match[1]) };
  } finally {
    client.disconnect();
  }
}
