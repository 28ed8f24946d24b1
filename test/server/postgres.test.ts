import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PostgresDatabase } from '../../server/db/postgres/postgres-database.js';
import { startTestPostgres, type TestPostgres } from '../support/postgres-server.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  postgresDatabase,
  postgresUnavailable,
  spawnServerProcess,
  startTestServer,
  type ServerProcess,
} from '../support/test-server.js';
import { eventually, userEvents } from './support/user-events.js';

/** What is in one PostgreSQL database, read as a server process would. */
function query<T>(url: string, sql: string): T[] {
  const db = new PostgresDatabase(url);
  try {
    return db.prepare<[], T>(sql).all();
  } finally {
    db.close();
  }
}

const unavailable = postgresUnavailable();
/** The burst is more than one person may send in the default window. */
const BURST = { MESSAGE_RATE_LIMIT: '1000' };

describe.skipIf(unavailable !== null)(`several server processes on one PostgreSQL${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('start together on a new database, share its outbox, and lose nothing when one is killed mid-burst', async () => {
    const databaseUrl = postgresDatabase();
    // Both migrate and create the demo accounts at once: they must take turns.
    const [a, b] = (await Promise.all([
      spawnServerProcess({ redisUrl: redis.url, databaseUrl, env: BURST }),
      spawnServerProcess({ redisUrl: redis.url, databaseUrl, env: BURST }),
    ])) as [ServerProcess, ServerProcess];
    try {
      expect(query<{ n: number }>(databaseUrl, 'SELECT count(*) AS n FROM users')[0]?.n).toBe(5);
      const versions = query<{ version: number }>(databaseUrl, 'SELECT version FROM schema_migrations ORDER BY version');
      expect(new Set(versions.map((row) => row.version)).size).toBe(versions.length);

      const smith = await login(a.url, 'dr.smith', DEMO_PASSWORD);
      const jones = await login(a.url, 'nurse.jones', DEMO_PASSWORD);
      const onA = api(a.url, smith.token);
      const onB = api(b.url, smith.token);
      const conversation = (await onA.post('/api/conversations', { participantIds: [jones.user.id] })).body.conversation;

      // The same send to both processes at once (a desk retrying on another host): one message.
      const twice = await Promise.all(
        [onA, onB].map((client) =>
          client.post(`/api/conversations/${conversation.id}/messages`, { text: 'Sent twice', clientMessageId: 'sent-twice-0001' }),
        ),
      );
      expect(twice.map((response) => response.status).sort()).toEqual([200, 201]);
      expect(twice[0]?.body.message.id).toBe(twice[1]?.body.message.id);

      const accepted: number[] = [twice[0]?.body.message.id as number];
      const send = async (client: typeof onA, index: number) => {
        try {
          const response = await client.post(`/api/conversations/${conversation.id}/messages`, { text: `burst ${index}` });
          if (response.status === 201) accepted.push(response.body.message.id as number);
        } catch {
          // Sent to the process that was killed: never accepted, so never owed.
        }
      };
      const burst: Promise<void>[] = [];
      for (let index = 0; index < 60; index++) {
        burst.push(send(index % 2 === 0 ? onA : onB, index));
        if (index === 30) burst.push(b.kill());
        if (index % 10 === 9) await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await Promise.all(burst);
      expect(accepted.length).toBeGreaterThan(30);

      // Every accepted message reaches Jones once: what the killed process left in the shared
      // outbox is published by the other one.
      const reader = new Redis(redis.url);
      const deliveredIds = async () =>
        (await userEvents(reader, jones.user.id))
          .filter((event) => event.type === 'new_message')
          .map((event) => Number((event as { message_id: string }).message_id));
      await eventually(async () => {
        const ids = await deliveredIds();
        return accepted.every((id) => ids.includes(id));
      }, 'every accepted message to be published');
      const delivered = await deliveredIds();
      expect(delivered.filter((id) => accepted.includes(id)).sort((x, y) => x - y)).toEqual([...accepted].sort((x, y) => x - y));
      expect(new Set(delivered).size).toBe(delivered.length);
      await eventually(() => query<{ n: number }>(databaseUrl, 'SELECT count(*) AS n FROM outbox')[0]?.n === 0, 'the outbox to empty');
      reader.disconnect();
    } finally {
      await Promise.all([a.stop(), b.stop()]);
    }
  });
});

describe.skipIf(unavailable !== null)(`PostgreSQL going away under a running server${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let redis: TestRedis;
  // Its own PostgreSQL: the one the other tests share must not go away under them.
  let postgres: TestPostgres;
  beforeAll(async () => {
    [redis, postgres] = await Promise.all([startTestRedis(), startTestPostgres()]);
  });
  afterAll(async () => {
    await Promise.all([redis?.stop(), postgres?.stop()]);
  });

  it('answers 503 at once while it is down, and works again once it is back, without a restart of the server', async () => {
    const server = await startTestServer({ redisUrl: redis.url, databaseUrl: await postgres.createDatabase() });
    try {
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const client = api(server.url, smith.token);
      const conversation = (await client.post('/api/conversations', { participantIds: [jones.user.id] })).body.conversation;
      const messages = `/api/conversations/${conversation.id}/messages`;

      await postgres.halt();
      // A hang would run into the test's timeout; the answer is a 503, never a 500.
      const during = await Promise.all([
        client.get('/api/conversations'),
        client.post(messages, { text: 'while PostgreSQL is down' }),
        client.get('/api/me'),
      ]);
      expect(during.map((response) => response.status)).toEqual([503, 503, 503]);
      expect(during[1]?.body.error.code).toBe('unavailable');
      expect(during[1]?.headers.get('retry-after')).toBe('5');
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      expect(((await ready.json()) as { checks: { database: string } }).checks.database).not.toBe('ok');

      await postgres.start();
      await expect.poll(async () => (await client.get('/api/conversations')).status).toBe(200);
      const sent = await client.post(messages, { text: 'after PostgreSQL came back' });
      expect(sent.status).toBe(201);

      // And through a restart (pg_ctl restart): the connection it cut is replaced.
      await postgres.restart();
      await expect.poll(async () => (await client.post(messages, { text: 'after the restart' })).status).toBe(201);
      await eventually(
        async () =>
          (await userEvents(server.context.redis, jones.user.id)).some(
            (event) => event.type === 'new_message' && (event as { text: string }).text === 'after the restart',
          ),
        'the message after the restart to reach Jones',
      );
      expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
    } finally {
      await server.close();
    }
  });
});
