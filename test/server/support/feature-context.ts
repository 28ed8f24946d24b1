import { Redis } from 'ioredis';
import { pino } from 'pino';
import { SessionStore } from '../../../server/auth/session-store.js';
import { loadConfig } from '../../../server/config.js';
import type { ServerContext } from '../../../server/context.js';
import { openDatabase, openPostgresDatabase } from '../../../server/db/database.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { createMetrics } from '../../../server/metrics.js';
import { defaultEngine, postgresDatabaseFor } from '../../support/test-server.js';

export interface FeatureContext {
  ctx: ServerContext;
  close(): Promise<void>;
}

/**
 * What one server process would have, without HTTP: its own SQLite connection to `dbFile` (or,
 * with TEST_DATABASE=postgres, to the PostgreSQL database standing for it) and
 * its own Redis connection (with the server's fail-fast options), so two of them on one file
 * and one Redis behave as two processes do.
 */
export function featureContext(redisUrl: string, dbFile: string): FeatureContext {
  const config = loadConfig({ REDIS_URL: redisUrl, LOG_LEVEL: 'silent' });
  const db = defaultEngine() === 'postgres' ? openPostgresDatabase(postgresDatabaseFor(dbFile)) : openDatabase(dbFile);
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1, retryStrategy: (attempt) => Math.min(attempt * 50, 500) });
  redis.on('error', () => undefined);
  const metrics = createMetrics();
  const publisher = new EventPublisher(redis, { historyTtlSeconds: 3600, historyLength: 10_000 }, metrics);
  const sessions = new SessionStore(db, config.sessionTtlHours);
  const ctx: ServerContext = { config, db, redis, publisher, sessions, logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }), metrics };
  return {
    ctx,
    async close() {
      redis.disconnect();
      db.close();
    },
  };
}

/** Staff accounts for tests that work below HTTP (password hashes are irrelevant there). */
export function addUsers(ctx: ServerContext, count: number): number[] {
  const insert = ctx.db
    .prepare<[string, string], number>(
      "INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'nurse', 'unused') RETURNING id",
    )
    .pluck();
  const ids: number[] = [];
  for (let i = 0; i < count; i++) ids.push(insert.get(`user${ids.length}-${Date.now()}-${i}`, `User ${i}`) as number);
  return ids;
}
