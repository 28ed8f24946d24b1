import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';

describe('configuration', () => {
  it('has the documented defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 5000,
      host: '127.0.0.1',
      redisUrl: 'redis://127.0.0.1:6379',
      dataDir: './data',
      eventHistoryTtlSeconds: 3600,
      eventHistoryLength: 1000,
      heartbeatSeconds: 15,
      sessionTtlHours: 12,
      testEndpoints: true,
      loginMaxFailures: 5,
      demoData: false,
    });
  });

  it('builds the Redis URL from REDIS_HOST/REDIS_PORT as the original system did', () => {
    expect(loadConfig({ REDIS_HOST: 'redis.clinic.lan', REDIS_PORT: '6380' }).redisUrl).toBe(
      'redis://redis.clinic.lan:6380',
    );
    expect(loadConfig({ REDIS_URL: 'redis://other:1', REDIS_HOST: 'ignored' }).redisUrl).toBe(
      'redis://other:1',
    );
  });

  it('selects a Redis Cluster only with REDIS_CLUSTER_NODES, read as host:port pairs', () => {
    expect(loadConfig({}).redisClusterNodes).toBeNull();
    expect(loadConfig({ REDIS_CLUSTER_NODES: 'redis-1.clinic.lan:7000, 10.0.0.2:7001,[fd00::3]:7002' }).redisClusterNodes).toEqual([
      { host: 'redis-1.clinic.lan', port: 7000 },
      { host: '10.0.0.2', port: 7001 },
      { host: 'fd00::3', port: 7002 },
    ]);
  });

  it('finds one Redis through its Sentinels with REDIS_SENTINELS, and refuses it together with a cluster', () => {
    expect(loadConfig({ REDIS_SENTINELS: 's1:26379,s2:26379' }).redisSentinels).toEqual({
      sentinels: [{ host: 's1', port: 26379 }, { host: 's2', port: 26379 }],
      name: 'mymaster',
    });
    expect(() => loadConfig({ REDIS_SENTINELS: 's1:26379', REDIS_CLUSTER_NODES: 'r1:6379' })).toThrow(/REDIS_SENTINELS/);
  });

  it('turns the test endpoints off in production unless asked for', () => {
    expect(loadConfig({ NODE_ENV: 'production' }).testEndpoints).toBe(false);
    expect(loadConfig({ NODE_ENV: 'production', TEST_ENDPOINTS: 'on' }).testEndpoints).toBe(true);
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['REDIS_URL', 'http://example.com'],
    ['HEARTBEAT_SECONDS', '-1'],
    ['SESSION_TTL_HOURS', 'soon'],
    ['TEST_ENDPOINTS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['LOGIN_MAX_FAILURES', '0'],
    ['REDIS_CLUSTER_NODES', 'redis-1.clinic.lan'],
    ['REDIS_CLUSTER_NODES', 'redis-1:7000,redis-2:99999'],
    ['REDIS_CLUSTER_NODES', ','],
  ])('names the bad variable %s=%s', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('npm run server exits 1 with the bad variable named', () => {
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { PATH: process.env.PATH, PORT: 'not-a-port' },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/invalid configuration: PORT/);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
