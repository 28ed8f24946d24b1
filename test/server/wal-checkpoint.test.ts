import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * A worker thread checkpoints the WAL (server/db/wal-checkpointer.ts), so the fsyncs of a
 * checkpoint mostly happen off the server's thread, where every stream would wait for them.
 */
let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const fileBytes = (name: string) => statSync(join(server.context.config.dataDir, name)).size;

describe('the WAL', () => {
  it('reaches the database file without the server’s own connection checkpointing', async () => {
    const db = server.context.db;
    db.exec('CREATE TABLE wal_probe (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const before = fileBytes('clinicpulse.db');
    const insert = db.prepare('INSERT INTO wal_probe (body) VALUES (?)');
    // ≈ 150 pages: far below the 1,000 at which the server's connection checkpoints by itself.
    db.transaction(() => {
      for (let i = 0; i < 500; i++) insert.run(Buffer.alloc(1000, i % 256));
    })();
    expect(fileBytes('clinicpulse.db-wal')).toBeGreaterThan(500_000);
    await expect.poll(() => fileBytes('clinicpulse.db') - before, { timeout: 5_000 }).toBeGreaterThan(500_000);
  });

  it('is left to the worker: the server’s connection does not checkpoint (nor restart it) at SQLite’s 1,000 pages', async () => {
    const db = server.context.db;
    db.exec('CREATE TABLE wal_growth (id INTEGER PRIMARY KEY, body BLOB NOT NULL)');
    const insert = db.prepare('INSERT INTO wal_growth (body) VALUES (?)');
    // ≈ 4,000 pages in 40 commits: with SQLite's default the server's connection checkpoints at
    // the first commit past 1,000 and the next one starts the WAL over, so it never grows past that.
    for (let commit = 0; commit < 40; commit++) {
      db.transaction(() => {
        for (let i = 0; i < 100; i++) insert.run(Buffer.alloc(3500, (commit + i) % 256));
      })();
    }
    expect(fileBytes('clinicpulse.db-wal')).toBeGreaterThan(3_000 * 4096);
  });
});
