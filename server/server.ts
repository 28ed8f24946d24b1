import type { SqlDatabase } from './db/sql-database.js';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { ReminderScheduler } from './appointments/reminder-scheduler.js';
import { alertStatusPublisherFor } from './alerts/alert-status-publisher.js';
import { EscalationScheduler } from './alerts/escalation-scheduler.js';
import { SessionStore } from './auth/session-store.js';
import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import { openConfiguredDatabase } from './db/database.js';
import { loadDemoData } from './demo-data.js';
import { BareEventAdoption } from './events/bare-event-adoption.js';
import { EventHub } from './events/event-hub.js';
import { EventPublisher } from './events/event-publisher.js';
import { createEventStreamEndpoint } from './events/event-stream-endpoint.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { NoticeResender } from './notifications/notice-resender.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { registerPlatformMetrics } from './platform-metrics.js';

export interface StartServerOptions {
  /** Create the demo accounts and conversations when the database has no users yet. */
  demoData?: boolean;
  /** Defaults to a pino logger at `config.logLevel`. */
  logger?: Logger;
  /** Directory of the built web UI; dist/renderer by default. */
  webRoot?: string;
}

export interface RunningServer {
  /** `http://host:port`, with the real port when `config.port` was 0. */
  url: string;
  port: number;
  context: ServerContext;
  /** Graceful: stops accepting, ends streams, stops workers, then closes Redis and SQLite. */
  close(): Promise<void>;
}

/** How long open keep-alive connections get to finish after close() before they are cut. */
const CONNECTION_DRAIN_MS = 5_000;
const REDIS_QUIT_WAIT_MS = 1_000;

/**
 * Redis connection options: a request fails after one reconnection attempt instead of queueing
 * for ever, and a command after REDIS_COMMAND_TIMEOUT_MS (so /readyz and the API answer promptly
 * while Redis is down or stalled), while the connection itself keeps reconnecting, at most every
 * 2 s, for as long as the server runs.
 */
function connectRedis(url: string, commandTimeoutMs: number, logger: Logger): Redis {
  const redis = new Redis(url, {
    maxRetriesPerRequest: 1,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2_000),
    // A stalled Redis keeps its connection open: without a timeout a request would wait for it.
    commandTimeout: commandTimeoutMs,
    connectionName: 'clinicpulse',
  });
  let reported = false;
  redis.on('error', (error: Error) => {
    if (!reported) logger.warn({ err: error.message }, 'Redis connection failed; retrying');
    reported = true;
  });
  redis.on('ready', () => {
    if (reported) logger.info('Redis connection back');
    reported = false;
  });
  return redis;
}

export async function startServer(
  config: Config,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const db = openConfiguredDatabase(config);
  const redis = connectRedis(config.redisUrl, config.redisCommandTimeoutMs, logger);
  // The hub must own a connection of its own: a subscribed connection accepts no other commands.
  const subscriber = redis.duplicate({ connectionName: 'clinicpulse-subscriber' });
  subscriber.on('error', () => undefined);
  const metrics = createMetrics();
  const publisher = new EventPublisher(
    redis,
    { historyTtlSeconds: config.eventHistoryTtlSeconds, historyLength: config.eventHistoryLength },
    metrics,
  );
  const sessions = new SessionStore(db, config.sessionTtlHours);
  const context: ServerContext = { config, db, redis, publisher, sessions, logger, metrics };
  registerPlatformMetrics(context);
  const history = { historyTtlSeconds: config.eventHistoryTtlSeconds, historyLength: config.eventHistoryLength };
  const hub = new EventHub(subscriber, {
    metrics,
    logger,
    heartbeatSeconds: config.heartbeatSeconds,
    stillValid: (ids) => sessions.stillValid(ids),
    sessionCheckSeconds: config.streamSessionCheckSeconds,
    adoption: new BareEventAdoption(redis, history),
  });

  try {
    if (options.demoData && (await loadDemoData(db)))
      logger.info('demo accounts and conversations created');
  } catch (error) {
    await closeConnections(redis, subscriber, db);
    throw error;
  }

  const app = createApp(context, { webRoot: options.webRoot });
  const eventStream = createEventStreamEndpoint(context, hub);
  const server = createServer((req, res) => {
    if (!eventStream(req, res)) app(req, res);
  });
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await hub.close();
    await closeConnections(redis, subscriber, db);
    throw error;
  }
  // Started once listening: the relay publishes what an earlier run left in the outbox.
  const outboxRelay = new OutboxRelay(context);
  const reminderScheduler = new ReminderScheduler(context);
  const escalationScheduler = new EscalationScheduler(context, config.alertScheduler);
  const noticeResender = new NoticeResender(context);
  outboxRelay.start();
  reminderScheduler.start();
  escalationScheduler.start();
  noticeResender.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url }, 'ClinicPulse server listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info('shutting down');
      const serverClosed = closeHttpServer(server);
      await hub.close();
      await Promise.all([
        outboxRelay.stop(),
        reminderScheduler.stop(),
        escalationScheduler.stop(),
        noticeResender.stop(),
        alertStatusPublisherFor(context).stop(),
      ]);
      // The streams just ended leave their connections idle; close those too.
      server.closeIdleConnections();
      await serverClosed;
      await closeConnections(redis, subscriber, db);
      logger.info('stopped');
    })();
    return closing;
  };

  return { url, port, context, close };
}

/** Stops accepting at once; idle keep-alive connections close now, busy ones get a grace period. */
async function closeHttpServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  const cutOff = setTimeout(() => server.closeAllConnections(), CONNECTION_DRAIN_MS);
  await closed;
  clearTimeout(cutOff);
}

async function closeConnections(redis: Redis, subscriber: Redis, db: SqlDatabase): Promise<void> {
  await Promise.all([quitRedis(redis), quitRedis(subscriber)]);
  db.close();
}

/**
 * QUIT when Redis is there to answer, otherwise just drop the connection and its retries. Waits
 * for the socket to close, but not for long.
 */
async function quitRedis(connection: Redis): Promise<void> {
  if (
    connection.status !== 'ready' &&
    connection.status !== 'connect' &&
    connection.status !== 'connecting'
  ) {
    // Between retries there is no socket: stopping the retries is all there is to do.
    connection.disconnect();
    return;
  }
  const ended = once(connection, 'end').catch(() => undefined);
  try {
    if (connection.status === 'ready') await connection.quit();
    else connection.disconnect();
  } catch {
    connection.disconnect();
  }
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    ended,
    new Promise((resolve) => (timer = setTimeout(resolve, REDIS_QUIT_WAIT_MS))),
  ]);
  clearTimeout(timer);
}
