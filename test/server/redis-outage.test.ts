import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, startTestServer, type TestServer } from '../support/test-server.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function clinic(): Promise<{ redis: TestRedis; server: TestServer }> {
  const redis = await startTestRedis({ appendOnly: true });
  cleanups.push(() => redis.stop());
  const server = await startTestServer({ redisUrl: redis.url });
  cleanups.push(() => server.close());
  return { redis, server };
}

/** Resolves with the answer, or with 'no answer' when there was none within `ms`. */
function answerWithin<T>(request: Promise<T>, ms: number): Promise<T | 'no answer'> {
  return Promise.race([request, new Promise<'no answer'>((resolve) => setTimeout(() => resolve('no answer'), ms))]);
}

describe('while Redis is down', () => {
  it('answers the event state and acknowledgements with 503 unavailable and Retry-After, never 500', async () => {
    const { redis, server } = await clinic();
    const smith = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
    await redis.stop({ keepData: true });
    for (const response of [await smith.get('/api/events/state'), await smith.post('/api/events/ack', { lastEventId: 1 })]) {
      expect(response.status).toBe(503);
      expect(response.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
      expect(response.headers.get('retry-after')).toBe('5');
    }
    await redis.start();
    await expect.poll(async () => (await smith.get('/api/events/state')).status).toBe(200);
  });

  it('disables an account completely: the change is kept, the sessions end, and the answer is 200', async () => {
    const { redis, server } = await clinic();
    const admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
    const lee = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    await redis.stop({ keepData: true });
    const response = await admin.patch(`/api/admin/users/${lee.user.id}`, { disabled: true });
    expect(response.status).toBe(200);
    expect(response.body.user).toMatchObject({ id: lee.user.id, disabled: true });
    expect((await api(server.url, lee.token).get('/api/me')).status).toBe(401);
  });
});

describe('while Redis is stalled (SIGSTOP), with answers bounded by the Redis command timeout', () => {
  it('signs in, sends a message and creates an appointment without waiting for Redis', async () => {
    const { redis, server } = await clinic();
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const client = api(server.url, smith.token);
    const conversation = (await client.get('/api/conversations')).body.conversations[0];
    redis.pause();
    cleanups.push(() => redis.resume());
    // Each answer must come while Redis still answers nothing; without a command timeout and the
    // fallbacks, each would wait until Redis woke up.
    const signIn = await answerWithin(login(server.url, 'nurse.jones', 'clinicpulse'), 10_000);
    expect(signIn).not.toBe('no answer');
    const sent = await answerWithin(client.post(`/api/conversations/${conversation.id}/messages`, { text: 'while Redis sleeps' }), 10_000);
    expect(sent).toMatchObject({ status: 201 });
    const appointment = await answerWithin(
      client.post('/api/appointments', { time: new Date(Date.now() + 3_600_000).toISOString(), content: 'Follow-up', remindUserIds: [smith.user.id] }),
      10_000,
    );
    expect(appointment).toMatchObject({ status: 201 });
    const state = await answerWithin(client.get('/api/events/state'), 10_000);
    expect(state).toMatchObject({ status: 503 });
    redis.resume();
    // Once Redis is back, the message's notification goes out from the outbox.
    await expect.poll(() => (server.context.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n).toBe(0);
  });
});

describe('while the database cannot take a write (another process holds its lock)', () => {
  it('answers a write with 503 unavailable and Retry-After, never 500, and works again once the lock is gone', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'clinicpulse-locked-'));
    const server = await startTestServer({ redisUrl: redis.url, dataDir });
    cleanups.push(() => server.close());
    const client = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
    const conversation = (await client.get('/api/conversations')).body.conversations[0];
    // What a stuck `npm run user` or a backup tool holding a write lock does to the server.
    const other = new BetterSqlite3(join(dataDir, 'clinicpulse.db'));
    cleanups.push(() => other.close());
    other.exec('BEGIN EXCLUSIVE');
    const refused = await client.post(`/api/conversations/${conversation.id}/messages`, { text: 'while the database is locked' });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({ error: { code: 'unavailable', message: expect.any(String) } });
    expect(refused.headers.get('retry-after')).toBe('5');
    other.exec('ROLLBACK');
    expect((await client.post(`/api/conversations/${conversation.id}/messages`, { text: 'after' })).status).toBe(201);
  });
});
