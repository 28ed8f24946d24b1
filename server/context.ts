import type { SqlDatabase } from './db/sql-database.js';
import type { Logger } from 'pino';
import type { SessionStore } from './auth/session-store.js';
import type { Config } from './config.js';
import type { EventPublisher } from './events/event-publisher.js';
import type { Metrics } from './metrics.js';
import type { RedisClient } from './redis-client.js';

/** What every route module is built from; created once per server instance by server/server.ts. */
export interface ServerContext {
  config: Config;
  db: SqlDatabase;
  /** The command connection (one Redis or a cluster); the event hub holds its own subscriber. */
  redis: RedisClient;
  publisher: EventPublisher;
  sessions: SessionStore;
  logger: Logger;
  metrics: Metrics;
}
