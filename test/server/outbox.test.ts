import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SystemNotificationPayload } from '../../common/events.js';
import { OutboxRelay } from '../../server/outbox/outbox-relay.js';
import { OutboxStore } from '../../server/outbox/outbox-store.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { frameType, openRawStream } from '../support/sse-client.js';
import { api, DEMO_PASSWORD, login, startTestServer } from '../support/test-server.js';
import { featureContext, type FeatureContext } from './support/feature-context.js';
import { eventually, STREAM_WAIT_MS, userEvents } from './support/user-events.js';

const notice = (content: string): SystemNotificationPayload => ({ type: 'system_notification', content, timestamp: new Date().toISOString() });

describe('a message saved while Redis is down', () => {
  let redis: TestRedis;
  beforeAll(async () => {
    redis = await startTestRedis({ appendOnly: true });
  });
  afterAll(async () => {
    await redis?.stop();
  });

  it('waits in the outbox and is delivered once when Redis is back', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    try {
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const conversation = (await api(server.url, smith.token).post('/api/conversations', { participantIds: [jones.user.id] })).body.conversation;
      const { db } = server.context;

      // Jones's desk is connected and has seen everything so far.
      const before = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${jones.token}` });
      await before.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);
      const seen = JSON.parse(before.messages.find((m) => m.event === 'ready')!.data).lastEventId as number;

      await redis.stop({ keepData: true });
      await eventually(() => server.context.redis.status !== 'ready', 'the server to notice Redis is gone');
      await before.ended;

      const sent = await api(server.url, smith.token).post(`/api/conversations/${conversation.id}/messages`, { text: 'Saved while Redis was down' });
      expect(sent.status).toBe(201);
      const pending = db.prepare('SELECT user_id, payload, dedupe_key FROM outbox').all() as { user_id: number; payload: string; dedupe_key: string }[];
      // Besides these, `conversation_read` for Smith's desks when the reply read something new.
      expect(pending.filter((row) => row.dedupe_key.startsWith('msg:'))).toEqual([
        { user_id: jones.user.id, payload: expect.any(String), dedupe_key: `msg:${sent.body.message.id}@${sent.body.message.createdAt}:${jones.user.id}` },
        { user_id: smith.user.id, payload: expect.any(String), dedupe_key: `msg:${sent.body.message.id}@${sent.body.message.createdAt}:${smith.user.id}` },
      ]);
      expect(JSON.parse(pending[0]!.payload)).toMatchObject({ type: 'new_message', text: 'Saved while Redis was down', message_id: String(sent.body.message.id) });
      expect(JSON.parse(pending[1]!.payload)).toMatchObject({ type: 'message_sent', text: 'Saved while Redis was down', message_id: String(sent.body.message.id) });
      // The message itself is there for everyone to read meanwhile.
      const history = await api(server.url, jones.token).get(`/api/conversations/${conversation.id}/messages`);
      expect(history.body.messages.at(-1).text).toBe('Saved while Redis was down');

      await redis.start();
      await eventually(() => (db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n === 0, 'the relay to empty the outbox');

      const delivered = (await userEvents(server.context.redis, jones.user.id)).filter(
        (e) => e.type === 'new_message' && e.message_id === String(sent.body.message.id),
      );
      expect(delivered).toHaveLength(1);
      expect(delivered[0]).toMatchObject({ conversation_id: String(conversation.id), sender: 'Dr. Sarah Smith', sender_id: String(smith.user.id) });

      // The desk reconnects from where it was and gets the message exactly once.
      const after = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${jones.token}`, 'last-event-id': String(seen) });
      try {
        await after.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);
        const frames = after.messages.filter((m) => frameType(m) === 'new_message').map((m) => JSON.parse(m.data));
        expect(frames.filter((f) => f.message_id === String(sent.body.message.id))).toHaveLength(1);
        expect(after.messages.some((m) => m.event === 'resync')).toBe(false);
      } finally {
        after.close();
      }
      // The sender is never notified of their own message; their desks were told it was sent, once.
      const smithEvents = await userEvents(server.context.redis, smith.user.id);
      expect(smithEvents.filter((e) => e.type === 'new_message')).toEqual([]);
      expect(smithEvents.filter((e) => e.type === 'message_sent').map((e) => e.type === 'message_sent' && e.message_id)).toEqual([
        String(sent.body.message.id),
      ]);
    } finally {
      await server.close();
    }
  });
});

describe('the outbox relay', () => {
  let redis: TestRedis;
  let dir: string;
  const contexts: FeatureContext[] = [];
  const relays: OutboxRelay[] = [];
  const serverProcess = (file = join(dir, 'clinicpulse.db')) => {
    const context = featureContext(redis.url, file);
    contexts.push(context);
    return context.ctx;
  };
  const relay = (ctx: ReturnType<typeof serverProcess>, options = {}) => {
    const r = new OutboxRelay(ctx, options);
    relays.push(r);
    return r;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(contexts.splice(0).map((c) => c.close()));
    rmSync(dir, { recursive: true, force: true });
    await redis.flushAll();
  });
  afterAll(async () => {
    await redis?.stop();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-outbox-'));
  });

  it('publishes rows in id order per user, once, with two processes draining one database at the same time', async () => {
    const a = serverProcess();
    const b = serverProcess();
    const store = new OutboxStore(a.db);
    const users = [101, 102, 103];
    a.db.transaction(() => {
      for (let i = 0; i < 300; i++) {
        const userId = users[i % users.length]!;
        store.enqueue(userId, notice(`n${i}`), `test:${i}:${userId}`);
      }
    })();
    const [fromA, fromB] = await Promise.all([relay(a, { batchSize: 7 }).drain(), relay(b, { batchSize: 11 }).drain()]);
    expect(fromA + fromB).toBeGreaterThanOrEqual(300);
    expect(store.count()).toBe(0);
    for (const [index, userId] of users.entries()) {
      const events = await userEvents(a.redis, userId);
      const expected = Array.from({ length: 100 }, (_, k) => `n${k * users.length + index}`);
      expect(events.map((e) => (e.type === 'system_notification' ? e.content : e.type))).toEqual(expected);
      const ids = events.map((e) => e.id);
      expect([...ids].sort((x, y) => x - y)).toEqual(ids);
    }
  });

  it('two processes draining at once never drop a row written after the outbox emptied: its id is a new one', async () => {
    const a = serverProcess();
    const b = serverProcess();
    const storeA = new OutboxStore(a.db);
    const storeB = new OutboxStore(b.db);
    a.db.transaction(() => {
      for (let i = 0; i < 3; i++) storeA.enqueue(101, notice(`n${i}`), `test:reuse:${i}`);
    })();
    const ids = (rows: ReturnType<OutboxStore['batch']>) => rows.map((row) => row.id);
    // Both relays read the same rows; B publishes and moves them out first, which empties the outbox.
    const readByA = ids(storeA.batch(0, 10));
    const readByB = ids(storeB.batch(0, 10));
    await storeB.markSent(readByB, readByB.map((id) => 1_000 + id));
    b.db.transaction(() => storeB.enqueue(102, notice('sent meanwhile'), 'test:reuse:after'))();
    // A's publish of the same rows returns (a no-op by their dedupe keys) and it moves out what it read.
    await storeA.markSent(readByA, readByA.map((id) => 1_000 + id));
    // Still waiting for a relay: a drain that is not a process's first would not look among the sent for it.
    expect(storeA.batch(0, 10).map((row) => ('dedupeKey' in row ? row.dedupeKey : row.invalid))).toEqual(['test:reuse:after']);
    await relay(a).drain();
    const events = await userEvents(a.redis, 102);
    expect(events.map((e) => (e.type === 'system_notification' ? e.content : e.type))).toEqual(['sent meanwhile']);
  });

  it('keeps rows while Redis is down, counts the attempts, and publishes them once it is back', async () => {
    const ctx = serverProcess();
    const store = new OutboxStore(ctx.db);
    const r = relay(ctx, { minRetryDelayMs: 20, maxRetryDelayMs: 100, pollIntervalMs: 50 });
    await redis.stop({ keepData: true });
    try {
      await eventually(() => ctx.redis.status !== 'ready', 'the connection to drop');
      store.enqueue(7, notice('first'), 'down:1');
      store.enqueue(7, notice('second'), 'down:2');
      await expect(r.drain()).rejects.toThrow();
      r.start();
      await eventually(() => (ctx.db.prepare('SELECT attempts FROM outbox ORDER BY id LIMIT 1').get() as { attempts: number }).attempts >= 3, 'retries');
      expect(store.count()).toBe(2);
      expect((ctx.db.prepare('SELECT attempts FROM outbox ORDER BY id DESC LIMIT 1').get() as { attempts: number }).attempts).toBe(0);
    } finally {
      await redis.start();
    }
    await eventually(() => store.count() === 0, 'the relay to publish after Redis is back');
    expect((await userEvents(ctx.redis, 7)).map((e) => (e.type === 'system_notification' ? e.content : ''))).toEqual(['first', 'second']);
  });

  it('a row published but not deleted (a crash in between) is not published again', async () => {
    const ctx = serverProcess();
    const store = new OutboxStore(ctx.db);
    store.enqueue(9, notice('crash'), 'crash:1');
    const row = store.batch(0, 1)[0]!;
    if ('invalid' in row) throw new Error(row.invalid);
    const firstId = await ctx.publisher.publish(row.userId, row.payload, { dedupeKey: row.dedupeKey });
    expect(await relay(ctx).drain()).toBe(1);
    expect((await userEvents(ctx.redis, 9)).map((e) => e.id)).toEqual([firstId]);
  });

  it('runs one drain at a time, and a drain asked for meanwhile also takes the rows written since', async () => {
    const ctx = serverProcess();
    const store = new OutboxStore(ctx.db);
    const r = relay(ctx);
    let inFlight = 0;
    let most = 0;
    const publishBatch = ctx.publisher.publishBatch.bind(ctx.publisher);
    ctx.publisher.publishBatch = async (...args) => {
      most = Math.max(most, ++inFlight);
      try {
        return await publishBatch(...args);
      } finally {
        inFlight -= 1;
      }
    };
    for (let i = 0; i < 20; i++) store.enqueue(5, notice(`a${i}`), `a:${i}`);
    const first = r.drain();
    store.enqueue(5, notice('late'), 'late');
    const [one, two, three] = await Promise.all([first, r.drain(), r.drain()]);
    expect(most).toBe(1);
    expect(one + two + three).toBeGreaterThanOrEqual(21);
    expect(store.count()).toBe(0);
    expect((await userEvents(ctx.redis, 5)).map((e) => (e.type === 'system_notification' ? e.content : '')).at(-1)).toBe('late');
  });

  it('drops a row that is not a valid event instead of blocking the rows after it', async () => {
    const ctx = serverProcess();
    ctx.db.prepare("INSERT INTO outbox (user_id, payload, dedupe_key) VALUES (4, '{not json', 'broken')").run();
    new OutboxStore(ctx.db).enqueue(4, notice('after'), 'after');
    expect(await relay(ctx).drain()).toBe(1);
    expect((await userEvents(ctx.redis, 4)).map((e) => (e.type === 'system_notification' ? e.content : ''))).toEqual(['after']);
  });
});
