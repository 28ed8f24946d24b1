import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Message } from '../../common/api.js';
import { IMMEDIATE_LOCK, PostgresDatabase } from '../../server/db/postgres/postgres-database.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, postgresDatabase, postgresUnavailable, startTestServer, type DatabaseEngine, type TestServer } from '../support/test-server.js';
import { eventually } from './support/user-events.js';

/**
 * Another server process holding the database's write lock (its own group commit of receipts,
 * a message's send) must not stop this process's event loop while a report or a send waits for
 * the lock: every stream of the process would stop with it (bench scenarios 7 and 10). The server here runs in
 * the test's own process, so a loop stopped in SQLite's busy handler or in the PostgreSQL
 * worker's answer stops the test's timers too; the lock is held by a connection of the test's,
 * standing for the other process.
 */
interface WriteLockHolder {
  take(): void;
  release(): void;
  close(): void;
}

function sqliteLockHolder(file: string): WriteLockHolder & { noteForIndexing(messageId: number): void } {
  const other = new BetterSqlite3(file);
  return {
    noteForIndexing: (messageId) => other.prepare('INSERT INTO messages_fts_pending (message_id) VALUES (?)').run(messageId),
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

describe.each(engines)('while another process holds the write lock ($engine)', ({ engine, skip }) => {
  let redis: TestRedis;
  let server: TestServer;
  let holder: WriteLockHolder;
  let sqliteHolder: ReturnType<typeof sqliteLockHolder> | null = null;
  let dataDir: string;
  let jonesToken: string;
  let jonesId: number;
  let smithToken: string;
  let adminToken: string;
  let conversationId: number;

  const receiptRows = (alertId: number) =>
    server.context.db.prepare<[number], number>('SELECT count(*) FROM alert_receipt_facts WHERE alert_id = ?').pluck().get(alertId);

  const count = (sql: string) => server.context.db.prepare<[], number>(sql).pluck().get() ?? 0;

  /**
   * Once the writes that follow a send (the outbox's relay, SQLite's search index) are done: they
   * still wait for the lock on the event loop, so the lock is taken only after them.
   */
  const writesSettled = () =>
    eventually(
      () => count('SELECT count(*) FROM outbox') === 0 && (engine === 'postgres' || count('SELECT count(*) FROM messages_fts_pending') === 0),
      'the sends to be relayed and indexed',
    );

  async function newAlert(text: string, priority: 'routine' | 'urgent' = 'routine'): Promise<number> {
    const sent = await api(server.url, smithToken).post<{ message: Message }>(`/api/conversations/${conversationId}/messages`, { text, priority });
    expect(sent.status).toBe(201);
    await writesSettled();
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
    if (!databaseUrl) sqliteHolder = sqliteLockHolder(join(dataDir, 'clinicpulse.db'));
    holder = sqliteHolder ?? postgresLockHolder(databaseUrl!);
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    smithToken = smith.token;
    jonesToken = jones.token;
    jonesId = jones.user.id;
    adminToken = (await login(server.url, 'admin', DEMO_PASSWORD)).token;
    conversationId = (await api(server.url, smithToken).post<{ conversation: { id: number } }>('/api/conversations', { participantIds: [jones.user.id] })).body
      .conversation.id;
    // Past the start-up's own writes (the demo data's events relayed, its messages indexed).
    await eventually(async () => (await fetch(`${server.url}/readyz`)).status === 200, 'the server to be ready');
    await writesSettled();
  });

  afterAll(async () => {
    holder?.close();
    await server?.close();
    await redis?.stop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  /**
   * Holds the lock elsewhere for `ms`: the process's timers fire on time and it answers other
   * requests. `begin` runs once the lock is held, `check` before it is let go.
   */
  async function whileLockedElsewhere(ms: number, begin: () => void = () => undefined, check: () => void = () => undefined): Promise<void> {
    holder.take();
    try {
      begin();
      const before = performance.now();
      await sleep(ms);
      // A loop stopped behind the lock fires this timer only once the wait is over (5 s).
      expect(performance.now() - before).toBeLessThan(ms + 1_500);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      check();
    } finally {
      holder.release();
    }
  }

  /** A request made while the lock is held elsewhere: unanswered and unwritten until it is free. */
  async function madeWhileLocked<T>(request: () => Promise<T>, written: () => number): Promise<T> {
    await writesSettled();
    let made!: Promise<T>;
    let answered = false;
    await whileLockedElsewhere(
      300,
      () => {
        made = request();
        void made.finally(() => (answered = true));
      },
      () => {
        expect(answered).toBe(false);
        expect(written()).toBe(0);
      },
    );
    return made;
  }

  it.skipIf(skip !== null)(`a message waits for it without stopping the process, then is sent${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const text = `Lab results for bed ${engine}`;
    const stored = () => server.context.db.prepare<[string], number>('SELECT count(*) FROM messages WHERE text = ?').pluck().get(text) ?? 0;
    const sent = await madeWhileLocked(() => api(server.url, smithToken).post(`/api/conversations/${conversationId}/messages`, { text }), stored);
    expect(sent.status).toBe(201);
    expect(stored()).toBe(1);
  });

  it.skipIf(skip !== null)(`an admin's notice waits for it without stopping the process, then is sent${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const content = `Fire drill at 3 pm (${engine})`;
    const stored = () => server.context.db.prepare<[string], number>('SELECT count(*) FROM system_notices WHERE content = ?').pluck().get(content) ?? 0;
    const sent = await madeWhileLocked(() => api(server.url, adminToken).post('/api/admin/system-notifications', { content, userIds: [jonesId] }), stored);
    expect(sent.status).toBe(200);
    expect(stored()).toBe(1);
  });

  it.skipIf(skip !== null)(`an acknowledgement waits for it without stopping the process, then is recorded${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const alertId = await newAlert('Chest pain in room 3', 'urgent');
    const acknowledged = () =>
      server.context.db.prepare<[number], number>("SELECT count(*) FROM alert_receipt_facts WHERE alert_id = ? AND state = 'acknowledged'").pluck().get(alertId) ?? 0;
    const answer = await madeWhileLocked(() => api(server.url, jonesToken).post(`/api/alerts/${alertId}/acknowledge`, {}), acknowledged);
    expect(answer.status).toBe(200);
    expect(acknowledged()).toBe(1);
  });

  it.skipIf(skip !== null || engine === 'postgres')("the outbox's housekeeping leaves its turn without stopping the process (SQLite: on PostgreSQL it takes no lock another process holds)", async () => {
    await writesSettled();
    // Past the relay's poll (1 s), which forgets old sent rows at most once a second.
    await whileLockedElsewhere(1_500);
  });

  it.skipIf(skip !== null || engine === 'postgres')('the search index waits for it without stopping the process (SQLite: PostgreSQL indexes in the send)', async () => {
    await writesSettled();
    // A message of another process waiting to be indexed, then that process's write lock; past
    // two of the indexer's polls (250 ms), each finding the message waiting.
    sqliteHolder!.noteForIndexing(1_000_000);
    await whileLockedElsewhere(600);
    await writesSettled();
  });

  it.skipIf(skip !== null)(`receipts wait for it without stopping the process, then are recorded${skip ? ` (skipped: ${skip})` : ''}`, async () => {
    const alertId = await newAlert('Room 3, please');
    const response = await madeWhileLocked(() => report(alertId), () => receiptRows(alertId) ?? 0);
    expect(response.status).toBe(200);
    expect(response.body.recorded).toBe(2);
    expect(receiptRows(alertId)).toBe(2);
  });

  it.skipIf(skip !== null)(`receipts are refused as the database being busy (503) when the lock stays held, and nothing is recorded${skip ? ` (skipped: ${skip})` : ''}`, async () => {
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
