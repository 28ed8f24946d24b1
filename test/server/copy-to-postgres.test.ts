import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../server/db/postgres/postgres-database.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, postgresDatabase, postgresUnavailable, startTestServer } from '../support/test-server.js';

const unavailable = postgresUnavailable();

/** `npm run copy-to-postgres -- …args`, as the IT admin runs it. */
function copyCommand(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/cli/copy-to-postgres.ts', ...args], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

function count(url: string, table: string): number {
  const db = new PostgresDatabase(url);
  try {
    return db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
  } finally {
    db.close();
  }
}

/** What the clinic's people see over the API: the same before and after the move. */
async function whatStaffSee(url: string, token: string, adminToken: string) {
  const client = api(url, token);
  const conversations = (await client.get('/api/conversations')).body.conversations as { id: number }[];
  const messages = await Promise.all(conversations.map(async ({ id }) => (await client.get(`/api/conversations/${id}/messages?limit=200`)).body));
  return {
    me: (await client.get('/api/me')).body,
    conversations,
    messages,
    appointments: (await client.get('/api/appointments')).body,
    search: new Set(((await client.get('/api/search?q=ward')).body.results as unknown[]).map((hit) => JSON.stringify(hit))),
    users: (await api(url, adminToken).get('/api/admin/users')).body,
    notices: (await api(url, adminToken).get('/api/admin/system-notices')).body,
  };
}

describe.skipIf(unavailable !== null)(`npm run copy-to-postgres${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let redis: TestRedis;
  let dataDir: string;
  beforeAll(async () => {
    redis = await startTestRedis();
    dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-copy-'));
  });
  afterAll(async () => {
    await redis?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('moves a SQLite installation to PostgreSQL: every account, session, conversation, message and id as it was, and new rows after the old', async () => {
    const onSqlite = await startTestServer({ redisUrl: redis.url, dataDir, database: 'sqlite' });
    const smith = await login(onSqlite.url, 'dr.smith', DEMO_PASSWORD);
    const jones = await login(onSqlite.url, 'nurse.jones', DEMO_PASSWORD);
    const admin = await login(onSqlite.url, 'admin', DEMO_PASSWORD);
    const client = api(onSqlite.url, smith.token);
    const conversation = (await client.post('/api/conversations', { participantIds: [jones.user.id], title: 'Ward round' })).body.conversation;
    const first = (await client.post(`/api/conversations/${conversation.id}/messages`, { text: 'Ward round at nine' })).body.message;
    await client.post(`/api/conversations/${conversation.id}/messages`, { text: 'Bring the ward list', replyToId: first.id, priority: 'urgent' });
    await api(onSqlite.url, jones.token).post(`/api/conversations/${conversation.id}/read`, { lastMessageId: first.id });
    await client.post('/api/appointments', { time: new Date(Date.now() + 86_400_000).toISOString(), content: 'Annual checkup', remindUserIds: [jones.user.id] });
    await api(onSqlite.url, admin.token).post('/api/admin/system-notifications', { content: 'Lift out of order', role: 'nurse' });
    const before = await whatStaffSee(onSqlite.url, smith.token, admin.token);
    await onSqlite.close();

    const databaseUrl = postgresDatabase();
    const copied = await copyCommand(['--from', join(dataDir, 'clinicpulse.db'), '--to', databaseUrl]);
    expect(copied).toMatchObject({ code: 0, stderr: '' });
    expect(copied.stdout).toMatch(/^copied \d+ rows of \d+ tables/);
    expect(count(databaseUrl, 'messages')).toBeGreaterThanOrEqual(2);

    const onPostgres = await startTestServer({ redisUrl: redis.url, dataDir, databaseUrl });
    try {
      // Signed-in desks stay signed in.
      expect((await api(onPostgres.url, jones.token).get('/api/me')).status).toBe(200);
      expect(await whatStaffSee(onPostgres.url, smith.token, admin.token)).toEqual(before);
      // Passwords are the same, and the tables' triggers work again (a sign-in is recorded).
      const again = await login(onPostgres.url, 'dr.smith', DEMO_PASSWORD);
      const signedInAt = async (url: string) =>
        ((await api(url, admin.token).get('/api/admin/users')).body.users as { id: number; lastSignInAt: string }[]).find((user) => user.id === again.user.id)!.lastSignInAt;
      const previous = (before.users.users as { id: number; lastSignInAt: string }[]).find((user) => user.id === again.user.id)!.lastSignInAt;
      expect(await signedInAt(onPostgres.url) > previous).toBe(true);

      const next = (await api(onPostgres.url, smith.token).post(`/api/conversations/${conversation.id}/messages`, { text: 'On PostgreSQL now' })).body.message;
      const highest = Math.max(...before.messages.flatMap((page) => (page.messages as { id: number }[]).map((message) => message.id)));
      expect(next.id).toBeGreaterThan(highest);
    } finally {
      await onPostgres.close();
    }

    // A second run finds the database in use and writes nothing.
    const messages = count(databaseUrl, 'messages');
    const second = await copyCommand(['--from', join(dataDir, 'clinicpulse.db'), '--to', databaseUrl]);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/refused, nothing was written: the PostgreSQL database is not empty/);
    expect(count(databaseUrl, 'messages')).toBe(messages);
  });

  it('says what is wrong with its arguments', async () => {
    const usage = await copyCommand(['--to', 'mysql://nowhere']);
    expect(usage.code).toBe(1);
    expect(usage.stderr).toMatch(/DATABASE_URL/);
    const missing = await copyCommand(['--from', join(dataDir, 'nothing-here.db'), '--to', postgresDatabase()]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/no SQLite database at/);
  });
});
