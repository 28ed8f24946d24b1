import type { SqlDatabase } from './db/sql-database.js';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { createApp } from './app.js';
import { ReminderScheduler } from './appointments/reminder-scheduler.js';
import { alertStatusPublisherFor } from './alerts/alert-status-publisher.js';
import { createReceiptsEndpoint } from './alerts/receipts-endpoint.js';
import { createMessageSendEndpoint } from './conversations/message-send-endpoint.js';
import { EscalationScheduler } from './alerts/escalation-scheduler.js';
import { SessionStore } from './auth/session-store.js';
import type { Config } from './config.js';
import type { ServerContext } from './context.js';
import { databaseFile, openConfiguredDatabase } from './db/database.js';
import { SqliteDatabase } from './db/sqlite-database.js';
import { SERVER_CHECKPOINT_PAGES, startWalCheckpointer, type WalCheckpointer } from './db/wal-checkpointer.js';
import { loadDemoData } from './demo-data.js';
import { BareEventAdoption } from './events/bare-event-adoption.js';
import { EventHub } from './events/event-hub.js';
import { EventPublisher } from './events/event-publisher.js';
import { createEventStreamEndpoint } from './events/event-stream-endpoint.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { NoticeResender } from './notifications/notice-resender.js';
import { PresenceSweeper } from './presence/presence-sweeper.js';
import { OutboxRelay } from './outbox/outbox-relay.js';
import { SearchIndexer } from './search/search-indexer.js';
import { registerPlatformMetrics } from './platform-metrics.js';
import { closingOnPurpose, connectRedis, type RedisClient, type RedisConnections } from './redis-client.js';

/**
 * How long an idle keep-alive connection stays open. Node's default (5 s) is hardly more than a
 * desk may be asked to wait between receipt reports under load (4 s, alerts/receipt-pacing.ts):
 * reports would race the server closing their connection, and fail or pay for a new one.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;

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
/** How often the worker thread checkpoints the WAL (db/wal-checkpointer.ts). */
const WAL_CHECKPOINT_INTERVAL_MS = 200;

/**
 * How long start-up waits for the Redis subscriber (on a cluster: the slot map too) before serving
 * anyway; streams answer 503, and /readyz says why, until it is ready.
 */
const SUBSCRIBER_READY_WAIT_MS = 10_000;

export async function startServer(
  config: Config,
  options: StartServerOptions = {},
): Promise<RunningServer> {
  const logger = options.logger ?? createLogger(config);
  const db = openConfiguredDatabase(config);
  // SQLite's write-ahead log only: PostgreSQL checkpoints by itself.
  const checkpointer =
    db.dialect === 'sqlite'
      ? await startWalCheckpointer(databaseFile(config), {
          intervalMs: WAL_CHECKPOINT_INTERVAL_MS,
          warn: (message) => logger.warn(message),
        }).catch((error: unknown) => {
          logger.warn({ err: (error as Error).message }, 'WAL checkpoint worker not started; the server checkpoints alone');
          return null;
        })
      : null;
  if (checkpointer && db instanceof SqliteDatabase) db.native.pragma(`wal_autocheckpoint = ${SERVER_CHECKPOINT_PAGES}`);
  const connections = connectRedis(config, logger);
  const { redis, subscriber, keys } = connections;
  const metrics = createMetrics();
  const publisher = new EventPublisher(
    redis,
    { historyTtlSeconds: config.eventHistoryTtlSeconds, historyLength: config.eventHistoryLength, keys },
    metrics,
  );
  const sessions = new SessionStore(db, config.sessionTtlHours);
  const context: ServerContext = { config, db, redis, publisher, sessions, logger, metrics };
  registerPlatformMetrics(context);
  const history = { historyTtlSeconds: config.eventHistoryTtlSeconds, historyLength: config.eventHistoryLength, keys };
  const hub = new EventHub(subscriber, {
    metrics,
    logger,
    heartbeatSeconds: config.heartbeatSeconds,
    stillValid: (ids) => sessions.stillValid(ids),
    sessionCheckSeconds: config.streamSessionCheckSeconds,
    adoption: new BareEventAdoption(redis, history),
    keys,
  });
  await hub.whenLive(SUBSCRIBER_READY_WAIT_MS).catch(() => {
    logger.warn('Redis subscriber not ready yet; serving anyway, streams answer 503 until it is');
  });

  try {
    if (options.demoData && (await loadDemoData(db)))
      logger.info('demo accounts and conversations created');
  } catch (error) {
    await closeConnections(connections, db, checkpointer);
    throw error;
  }

  const app = createApp(context, hub, { webRoot: options.webRoot });
  const eventStream = createEventStreamEndpoint(context, hub);
  const receipts = createReceiptsEndpoint(context);
  const messageSends = createMessageSendEndpoint(context);
  const server = createServer((req, res) => {
    if (!eventStream(req, res) && !messageSends(req, res) && !receipts(req, res)) app(req, res);
  });
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.listen(config.port, config.host);
  try {
    await once(server, 'listening');
  } catch (error) {
    await hub.close();
    await closeConnections(connections, db, checkpointer);
    throw error;
  }
  // Started once listening: the relay publishes what an earlier run left in the outbox.
  const outboxRelay = new OutboxRelay(context);
  const reminderScheduler = new ReminderScheduler(context);
  const escalationScheduler = new EscalationScheduler(context, config.alertScheduler);
  const noticeResender = new NoticeResender(context);
  const presenceSweeper = new PresenceSweeper(context);
  const searchIndexer =
    db.dialect === 'sqlite' ? new SearchIndexer(db, (error) => logger.warn({ err: (error as Error).message }, 'search index not brought up to date; trying again')) : null;
  outboxRelay.start();
  reminderScheduler.start();
  escalationScheduler.start();
  noticeResender.start();
  presenceSweeper.start();
  searchIndexer?.start();
  const port = (server.address() as AddressInfo).port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url }, 'ClinicPulse server listening');

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      logger.info('shutting down');
      const serverClosed = closeHttpServer(server);
      searchIndexer?.stop();
      await hub.close();
      await Promise.all([
        outboxRelay.stop(),
        reminderScheduler.stop(),
        escalationScheduler.stop(),
        noticeResender.stop(),
        presenceSweeper.stop(),
        alertStatusPublisherFor(context).stop(),
      ]);
      // The streams just ended leave their connections idle; close those too.
      server.closeIdleConnections();
      await serverClosed;
      await closeConnections(connections, db, checkpointer);
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

async function closeConnections({ redis, subscriber }: RedisConnections, db: SqlDatabase, checkpointer: WalCheckpointer | null): Promise<void> {
  closingOnPurpose(redis);
  closingOnPurpose(subscriber);
  subscriber.disconnect();
  await Promise.all([quitRedis(redis), checkpointer?.stop()]);
  db.close();
}

/**
 * QUIT when Redis is there to answer, otherwise just drop the connection and its retries. Waits
 * for the socket to close, but not for long.
 */
async function quitRedis(connection: RedisClient): Promise<void> {
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
