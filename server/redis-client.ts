import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { ChannelSubscriber } from './events/channel-subscriber.js';
import { CLUSTER_KEYS, SINGLE_REDIS_KEYS, type KeySpace } from './events/keys.js';
import { ShardedSubscriber } from './events/sharded-subscriber.js';
import { pingWhileReady, SUBSCRIBER_SOCKET_TIMEOUT_MS } from './events/subscriber-ping.js';
import { watchClusterPrimaries } from './events/cluster-primaries.js';

/**
 * A command connection: one Redis (`REDIS_URL`), or a Redis Cluster (`REDIS_CLUSTER_NODES`),
 * which ioredis gives the same commands and scripts; what differs is how keys must be named
 * (server/events/keys.ts) and how channels are subscribed (server/events/sharded-subscriber.ts).
 */
export type RedisClient = Redis | Cluster;

/** The process's Redis: its command connection, its subscriber, and how keys are named there. */
export interface RedisConnections {
  redis: RedisClient;
  subscriber: ChannelSubscriber & { disconnect(): void };
  keys: KeySpace;
}

/**
 * How often a cluster client asks for the slot map when nothing else made it: a failover is
 * noticed by then even when no command of this process met the dead primary.
 */
const CLUSTER_SLOTS_REFRESH_MS = 1_000;

/**
 * Connection options: a request fails after one reconnection attempt instead of queueing for
 * ever, and a command after REDIS_COMMAND_TIMEOUT_MS (so /readyz and the API answer promptly
 * while Redis is down or stalled), while the connection itself keeps reconnecting, at most every
 * 2 s, for as long as the server runs.
 */
function commandOptions(commandTimeoutMs: number): RedisOptions {
  return {
    maxRetriesPerRequest: 1,
    // A stalled Redis keeps its connection open: without a timeout a request would wait for it.
    commandTimeout: commandTimeoutMs,
    connectionName: 'clinicpulse',
  };
}

const retryStrategy = (attempt: number) => Math.min(attempt * 200, 2_000);

/** How long a connection that ended by itself waits before it connects again. */
const RECONNECT_AFTER_END_MS = 200;

/** The connections the server itself is closing: those stay closed. */
const closedOnPurpose = new WeakSet<object>();

/** Says that the server is closing this connection (shutdown), so that it is not reopened. */
export function closingOnPurpose(connection: object): void {
  closedOnPurpose.add(connection);
}

/**
 * ioredis in Sentinel mode can give a connection up for good during a failover: when the failover
 * detector restarts the connection while a reconnection is still asking a Sentinel for the primary,
 * that reconnection fails with "Connection is closed" and the client ends ('end') instead of
 * retrying. The server then never reached Redis again (sentinel-failover.test.ts, about one run in
 * ten: the command connection ended, 64 events left in the outbox). A connection that ends without
 * the server closing it connects again.
 */
function reconnectAfterEnd(connection: Redis, logger: Logger): void {
  connection.on('end', () => {
    if (closedOnPurpose.has(connection)) return;
    logger.warn({ connection: connection.options.connectionName }, 'Redis connection given up by the client during a failover; connecting again');
    setTimeout(() => {
      if (!closedOnPurpose.has(connection) && connection.status === 'end') connection.connect().catch(() => undefined);
    }, RECONNECT_AFTER_END_MS).unref();
  });
}

/**
 * One Redis, a cluster when REDIS_CLUSTER_NODES is set, or one Redis found through its Sentinels
 * (REDIS_SENTINELS). After a Sentinel failover ioredis reconnects to the new primary (at once,
 * told by the Sentinels: `failoverDetector`), so it is a reconnection like any other: `close`
 * ends the streams, `ready` has what Redis may have lost published again.
 */
export function connectRedis(
  config: Pick<Config, 'redisUrl' | 'redisClusterNodes' | 'redisSentinels' | 'redisCommandTimeoutMs'>,
  logger: Logger,
): RedisConnections {
  if (config.redisClusterNodes) return connectCluster(config.redisClusterNodes, config, logger);
  const options: RedisOptions = { ...commandOptions(config.redisCommandTimeoutMs), retryStrategy };
  const redis = config.redisSentinels
    ? new Redis({
        ...options,
        ...credentialsOf(config.redisUrl),
        sentinels: config.redisSentinels.sentinels,
        name: config.redisSentinels.name,
        failoverDetector: true,
        sentinelRetryStrategy: retryStrategy,
      })
    : new Redis(config.redisUrl, options);
  reportConnection(redis, logger);
  // A subscribed connection accepts no other commands. Resubscribing by itself after a drop
  // would hide the events published meanwhile: the hub ends its streams instead (event-hub.ts).
  const subscriber = redis.duplicate({
    connectionName: 'clinicpulse-subscriber',
    autoResubscribe: false,
    socketTimeout: SUBSCRIBER_SOCKET_TIMEOUT_MS,
  });
  subscriber.on('error', () => undefined);
  pingWhileReady(subscriber);
  if (config.redisSentinels) for (const connection of [redis, subscriber]) reconnectAfterEnd(connection, logger);
  return { redis, subscriber, keys: SINGLE_REDIS_KEYS };
}

function connectCluster(
  nodes: { host: string; port: number }[],
  config: Pick<Config, 'redisUrl' | 'redisCommandTimeoutMs'>,
  logger: Logger,
): RedisConnections {
  const redisOptions: RedisOptions = { ...commandOptions(config.redisCommandTimeoutMs), ...credentialsOf(config.redisUrl) };
  const redis = new Cluster(nodes, {
    redisOptions,
    clusterRetryStrategy: retryStrategy,
    slotsRefreshInterval: CLUSTER_SLOTS_REFRESH_MS,
    // Without this, a command sent while the cluster reconnects waits for it however long it takes.
    enableOfflineQueue: false,
  });
  reportConnection(redis, logger);
  watchClusterPrimaries(redis, logger);
  const subscriber = new ShardedSubscriber(redis, { ...redisOptions, connectionName: 'clinicpulse-subscriber' }, logger);
  return { redis, subscriber, keys: CLUSTER_KEYS };
}

/** A cluster's nodes take the password and TLS of REDIS_URL when it is set. */
function credentialsOf(redisUrl: string): RedisOptions {
  const url = new URL(redisUrl);
  return {
    ...(url.username ? { username: decodeURIComponent(url.username) } : {}),
    ...(url.password ? { password: decodeURIComponent(url.password) } : {}),
    ...(url.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function reportConnection(redis: RedisClient, logger: Logger): void {
  let reported = false;
  redis.on('error', (error: Error) => {
    if (!reported) logger.warn({ err: error.message }, 'Redis connection failed; retrying');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.info('Redis connection back');
    reported = false;
  });
}
