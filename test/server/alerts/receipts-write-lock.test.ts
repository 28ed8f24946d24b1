import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../../common/api.js';
import { IMMEDIATE_LOCK, PostgresDatabase } from '../../../server/db/postgres/postgres-database.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, postgresDatabase, postgresUnavailable, startTestServer, type DatabaseEngine, type TestServer } from '../../support/test-server.js';
import { eventually } from '../support/user-events.js';

/**
 * Another server process holding the database's write lock (its own group commit of receipts,
 * a message's send) must not stop this process's event loop while a report waits for the lock:
 * every stream of the process would stop with it (bench scenario 10). The server here runs in
 * the test's own process, so a loop stopped in SQLite's busy handler or in the PostgreSQL
 * worker's answer stops the test's timers too; the lock is held by a connection of the test's,
 * standing for the other process.
 */
interface WriteLockHolder {
  take(): void;
  release(): void;
  close(): void;
}

function sqliteLockHolder(file: string): WriteLockHolder {
  const other = new BetterSqlite3(file);
  return {
    take: () => other.exec('BEGIN IMMEDIATE'),
    release: () => other.exec('COMMIT'),
    close: () => other.close(),
  };
}

/** On PostgreSQL the write lock is the advisory lock every immediate transaction takes. */
function postgresLockHolder(url: string): WriteLockHolder {
  const other = new PostgresDatabase(url);
  return {
    take: () => other.exec(`BEGIN; SELECT pg_advisory_xact_lock(${IMMEDIATE_LOCK})`),
    release: () => other.exec('COMMIT'),
    close: () => other.close(),
  };
}

const DESK = { id: 'desk-lock-0001', name: 'Ward PC' };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const unavailable = postgresUnavailable();

const engines: { engine: DatabaseEngine; skip: string | null }[] = [
  { engine: 'sqlite', skip: null },
  { engine: 'postgres', skip: unavailable },
];

describe.each(engines)('receipts while another process holds the write lock ($engine)', ({ engine, skip }) => {
  let redis: TestRedis;
  let server: TestServer;
  let holder: WriteLockHolder;
  let dataDir: string;
  let jonesToken: string;
  let smithToken: string;
  let conversationId: number;

  const receiptRows = (alertId: number) =>
    server.context.db.prepare<[number], number>('SELECT count(*) FROM alert_receipts WHERE alert_id = ?').pluck().get(alertId);

  const count = (sql: string) => server.context.db.prepare<[], number>(sql).pluck().get() ?? 0;

  /** A message's alert, once the send's own writes after it (the outbox's relay, SQLite's search index) are done. */
  async function newAlert(text: string): Promise<number> {
    const sent = await api(server.url, smithToken).post<{ message: Message }>(`/api/conversations/${conversationId}/messages`, { text });
    expect(sent.status).toBe(201);
    await eventually(
      () => count('SELECT count(*) FROM outbox') === 0 && (engine === 'postgres' || count('SELECT count(*) FROM messages_fts_pending') === 0),
      'the send to be relayed and indexed',
    );
    return sent.body.message.alertId!;
  }

  const report = (alertId: number) =>
    api(server.url, jonesToken).post<{ recorded: number; error?: { code: string } }>('/api/alerts/receipts', {
      desk: DESK,
      receipts: [{ alertId, state: 'shown' }],
    });

  beforeAll(async () => {
    if (skip !== null) return;
    redis = await startTestRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-receipt-lock-'));
    const databaseUrl = engine === 'postgres' ? postgresDatabase() : undefined;
    server = await startTestServer({ redisUrl: redis.url, dataDir, database: engine, ...(databaseUrl ? { databaseUrl } : {}) });
    holder = databaseUrl ? postgresLockHolder(databaseUrl) : sqliteLockHolder(join(dataDir, 'clinicpulse.db'));
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    smithToken = smith.token;
    jonesToken = jones.token;
    conversationId = (await api(server.url, smithToken).post<{ conversation: { id: number } }>('/api/conversations', { participantIds: [jones.user.id] })).body
      .conversation.id;
  });

  afterAll(async () => {
    holder?.close();
    await server?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it.skipIf(skip !== null)(`wait for it without stopping the process, then are recorded${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const alertId = await newAlert('Room 3, please');
    holder.take();
    let answered = false;
    let reported: ReturnType<typeof report>;
    try {
      reported = report(alertId);
      void reported.finally(() => (answered = true));
      const before = performance.now();
      await sleep(300);
      // A loop stopped behind the lock fires this timer only once the wait is over (5 s).
      expect(performance.now() - before).toBeLessThan(2_000);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      expect(answered).toBe(false);
      expect(receiptRows(alertId)).toBe(0);
    } finally {
      holder.release();
    }
    const response = await reported;
    expect(response.status).toBe(200);
    expect(response.body.recorded).toBe(2);
    expect(receiptRows(alertId)).toBe(2);
  });

  it.skipIf(skip !== null)(`are refused as the database being busy (503) when the lock stays held, and nothing is recorded${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const alertId = await newAlert('Room 4, please');
    holder.take();
    let response: Awaited<ReturnType<typeof report>>;
    try {
      response = await report(alertId);
    } finally {
      holder.release();
    }
    expect(response.status).toBe(503);
    expect(response.body.error?.code).toEqual(expect.any(String));
    expect(receiptRows(alertId)).toBe(0);
    // The writer goes on with the next report once the lock is free.
    expect((await report(alertId)).status).toBe(200);
    expect(receiptRows(alertId)).toBe(2);
  }, 15_000);
});
