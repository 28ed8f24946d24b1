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

/** Every setting, read from the environment (and `.env`), with the defaults the README lists. */
const environment = z.object({
  NODE_ENV: z.string().default('development'),
  PORT: z.coerce.number().int().min(0).max(65_535).default(5000),
  HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
  REDIS_HOST: z.string().min(1).default('127.0.0.1'),
  REDIS_PORT: z.coerce.number().int().min(1).max(65_535).default(6379),
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
  return {
    nodeEnv: e.NODE_ENV,
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL ?? `redis://${e.REDIS_HOST}:${e.REDIS_PORT}`,
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
