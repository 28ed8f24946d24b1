import { z } from 'zod';

const booleanFlag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no', 'on', 'off'])
  .transform((value) => ['1', 'true', 'yes', 'on'].includes(value));

const positiveInt = z.coerce.number().int().positive();

/**
 * Origins (`scheme://host[:port]`, comma-separated) whose pages may call the API and open the
 * stream with the session cookie. Each must be exactly an origin: no path, no trailing slash.
 */
const originList = z
  .string()
  .transform((value) => value.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''))
  .pipe(
    z.array(
      z.string().refine((origin) => {
        try {
          const url = new URL(origin);
          return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === origin;
        } catch {
          return false;
        }
      }, 'each entry must be an origin such as https://app.clinic.example or http://localhost:3000'),
    ),
  );

/**
 * `host:port,host:port,…`: some nodes of a Redis Cluster (any of them; the rest are discovered),
 * or the Sentinels watching one Redis. A host is a name, an IPv4 or a bracketed IPv6 address.
 */
const nodeList = z
  .string()
  .transform((value) => value.split(',').map((node) => node.trim()).filter((node) => node !== ''))
  .pipe(
    z
      .array(
        z
          .string()
          .regex(/^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/, 'each entry must be host:port, e.g. redis-1.clinic.internal:6379')
          .transform((node) => {
            const colon = node.lastIndexOf(':');
            return { host: node.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port: Number(node.slice(colon + 1)) };
          })
          .refine((node) => node.port >= 1 && node.port <= 65_535, 'the port must be 1 to 65535'),
      )
      .min(1, 'name at least one node'),
  );

/** Every setting, read from the environment (and `.env`), with the defaults the README lists. */
const environment = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(5000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
  REDIS_CLUSTER_NODES: nodeList.optional(),
  REDIS_SENTINELS: nodeList.optional(),
  REDIS_SENTINEL_NAME: z.string().min(1).default('mymaster'),
  REDIS_COMMAND_TIMEOUT_MS: positiveInt.default(1000),
  REDIS_LOSS_WINDOW_SECONDS: z.coerce.number().nonnegative().default(10),
  DATA_DIR: z.string().min(1).default('./data'),
  // Absent: SQLite in DATA_DIR. A postgres:// URL: that PostgreSQL database instead.
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres://user:password@host:port/database URL' }).optional(),
  EVENT_HISTORY_TTL_SECONDS: positiveInt.default(3600),
  EVENT_HISTORY_LENGTH: positiveInt.default(1000),
  HEARTBEAT_SECONDS: z.coerce.number().positive().default(15),
  SSE_RETRY_MS: positiveInt.default(3000),
  MAX_STREAMS_PER_USER: positiveInt.default(10),
  STREAM_MAX_BUFFERED_BYTES: positiveInt.default(1024 * 1024),
  SESSION_TTL_HOURS: z.coerce.number().positive().default(12),
  STREAM_SESSION_CHECK_SECONDS: z.coerce.number().positive().default(10),
  TEST_ENDPOINTS: booleanFlag.optional(),
  TRUST_PROXY: booleanFlag.default(false),
  CORS_ORIGINS: originList.default([]),
  PUBLISH_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  LOGIN_MAX_FAILURES: positiveInt.default(5),
  LOGIN_MAX_FAILURES_PER_IP: positiveInt.default(50),
  LOGIN_THROTTLE_WINDOW_SECONDS: positiveInt.default(900),
  DEMO_DATA: booleanFlag.default(false),
  MESSAGE_RATE_LIMIT: positiveInt.default(30),
  MESSAGE_RATE_WINDOW_SECONDS: positiveInt.default(10),
  CONVERSATION_RATE_LIMIT: positiveInt.default(20),
  CONVERSATION_RATE_WINDOW_SECONDS: positiveInt.default(60),
  APPOINTMENT_RATE_LIMIT: positiveInt.default(30),
  APPOINTMENT_RATE_WINDOW_SECONDS: positiveInt.default(60),
  TEST_ENDPOINT_RATE_LIMIT: positiveInt.default(20),
  TEST_ENDPOINT_RATE_WINDOW_SECONDS: positiveInt.default(60),
  ALERT_STATUS_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  ALERT_SCHEDULER_INTERVAL_MS: positiveInt.default(1000),
  ALERT_RESEED_INTERVAL_MS: positiveInt.default(30_000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

export type Config = ReturnType<typeof loadConfig>;

export class ConfigError extends Error {}

export function loadConfig(env: Record<string, string | undefined> = process.env) {
  const result = environment.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`invalid configuration: ${problems.join('; ')}`);
  }
  const e = result.data;
  if (e.REDIS_CLUSTER_NODES && e.REDIS_SENTINELS) {
    throw new ConfigError('invalid configuration: REDIS_SENTINELS: set either REDIS_CLUSTER_NODES or REDIS_SENTINELS, not both');
  }
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL ?? `redis://${e.REDIS_HOST}:${e.REDIS_PORT}`,
    /** Set: a Redis Cluster, and REDIS_URL is used only for its password and TLS. */
    redisClusterNodes: e.REDIS_CLUSTER_NODES ?? null,
    /** Set: one Redis whose primary these Sentinels name (`REDIS_SENTINEL_NAME`); REDIS_URL as for a cluster. */
    redisSentinels: e.REDIS_SENTINELS ? { sentinels: e.REDIS_SENTINELS, name: e.REDIS_SENTINEL_NAME } : null,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    redisLossWindowSeconds: e.REDIS_LOSS_WINDOW_SECONDS,
    dataDir: e.DATA_DIR,
    databaseUrl: e.DATABASE_URL ?? null,
    eventHistoryTtlSeconds: e.EVENT_HISTORY_TTL_SECONDS,
    eventHistoryLength: e.EVENT_HISTORY_LENGTH,
    heartbeatSeconds: e.HEARTBEAT_SECONDS,
    sseRetryMs: e.SSE_RETRY_MS,
    maxStreamsPerUser: e.MAX_STREAMS_PER_USER,
    streamMaxBufferedBytes: e.STREAM_MAX_BUFFERED_BYTES,
    sessionTtlHours: e.SESSION_TTL_HOURS,
    streamSessionCheckSeconds: e.STREAM_SESSION_CHECK_SECONDS,
    testEndpoints: e.TEST_ENDPOINTS ?? e.NODE_ENV !== 'production',
    trustProxy: e.TRUST_PROXY,
    corsOrigins: new Set(e.CORS_ORIGINS) as ReadonlySet<string>,
    publishToken: e.PUBLISH_TOKEN ?? null,
    loginMaxFailures: e.LOGIN_MAX_FAILURES,
    loginMaxFailuresPerIp: e.LOGIN_MAX_FAILURES_PER_IP,
    loginThrottleWindowSeconds: e.LOGIN_THROTTLE_WINDOW_SECONDS,
    demoData: e.DEMO_DATA,
    messageRateLimit: { limit: e.MESSAGE_RATE_LIMIT, windowSeconds: e.MESSAGE_RATE_WINDOW_SECONDS },
    conversationRateLimit: { limit: e.CONVERSATION_RATE_LIMIT, windowSeconds: e.CONVERSATION_RATE_WINDOW_SECONDS },
    appointmentRateLimit: { limit: e.APPOINTMENT_RATE_LIMIT, windowSeconds: e.APPOINTMENT_RATE_WINDOW_SECONDS },
    testEndpointRateLimit: { limit: e.TEST_ENDPOINT_RATE_LIMIT, windowSeconds: e.TEST_ENDPOINT_RATE_WINDOW_SECONDS },
    alertStatusCoalesceMs: e.ALERT_STATUS_COALESCE_MS,
    alertScheduler: { intervalMs: e.ALERT_SCHEDULER_INTERVAL_MS, reseedIntervalMs: e.ALERT_RESEED_INTERVAL_MS },
    logLevel: e.LOG_LEVEL,
  };
}
