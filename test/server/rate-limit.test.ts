import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RedisRateLimitCounter } from '../../server/http/rate-limit-counter.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../support/test-server.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Sends `count` messages at once (they reach the server in the same turn, so they are counted in one batch). */
async function sendTogether(server: TestServer, token: string, conversationId: number, count: number, label: string) {
  const client = api(server.url, token);
  return Promise.all(
    Array.from({ length: count }, (_, index) => client.post(`/api/conversations/${conversationId}/messages`, { text: `${label} ${index}` })),
  );
}

describe('the message limit counted in Redis', () => {
  it('lets exactly the limit through when many sends arrive at once, and saves only those', async () => {
    const server = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '5' } });
    try {
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const conversation = (await api(server.url, smith.token).post('/api/conversations', { participantIds: [jones.user.id] })).body.conversation;
      const messagesOf = async () => (await api(server.url, jones.token).get(`/api/conversations/${conversation.id}/messages`)).body.messages.map((message: { text: string }) => message.text);
      const before = await messagesOf();

      const answers = await sendTogether(server, smith.token, conversation.id, 9, 'burst');
      const statuses = answers.map((answer) => answer.status).sort();
      expect(statuses).toEqual([201, 201, 201, 201, 201, 429, 429, 429, 429]);
      for (const limited of answers.filter((answer) => answer.status === 429)) {
        expect(limited.body.error.code).toBe('too_many_requests');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      const remaining = answers.map((answer) => answer.headers.get('ratelimit-remaining')).filter((value) => value !== null);
      expect(new Set(remaining)).toEqual(new Set(['0', '1', '2', '3', '4']));
      const saved = (await messagesOf()).filter((text: string) => !before.includes(text));
      expect(saved).toHaveLength(5);
      expect(saved.every((text: string) => text.startsWith('burst '))).toBe(true);
      // The limit is per user: Jones still has all of hers.
      expect((await sendTogether(server, jones.token, conversation.id, 5, 'reply')).map((answer) => answer.status)).toEqual([201, 201, 201, 201, 201]);
    } finally {
      await server.close();
    }
  });

  it('is one count for every server process on the Redis', async () => {
    const first = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '6' } });
    const second = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '6' } });
    try {
      // Both databases hold the same demo accounts, so Patel is the same user id on both servers.
      const sessions = await Promise.all([first, second].map(async (server) => ({ server, patel: await login(server.url, 'dr.patel', DEMO_PASSWORD), lee: await login(server.url, 'frontdesk.lee', DEMO_PASSWORD) })));
      expect(sessions[0]!.patel.user.id).toBe(sessions[1]!.patel.user.id);
      const conversations = await Promise.all(
        sessions.map(async ({ server, patel, lee }) => (await api(server.url, patel.token).post('/api/conversations', { participantIds: [lee.user.id] })).body.conversation.id as number),
      );
      const answers = (
        await Promise.all(sessions.map(({ server, patel }, index) => sendTogether(server, patel.token, conversations[index]!, 5, `from server ${index}`)))
      ).flat();
      expect(answers.filter((answer) => answer.status === 201)).toHaveLength(6);
      expect(answers.filter((answer) => answer.status === 429)).toHaveLength(4);
    } finally {
      await Promise.all([first.close(), second.close()]);
    }
  });
});

describe('RedisRateLimitCounter', () => {
  it('counts each of the increments asked for in one turn, in order, per key, with the window left', async () => {
    const connection = new Redis(redis.url);
    try {
      const counter = new RedisRateLimitCounter(connection, 'test:ratelimit:{same-turn}:');
      counter.init({ windowMs: 60_000 } as Parameters<RedisRateLimitCounter['init']>[0]);
      const keys = ['user:1', 'user:2', 'user:1', 'user:1', 'user:2', 'user:3', 'user:1'];
      const asked = Date.now();
      const counts = await Promise.all(keys.map((key) => counter.increment(key)));
      expect(counts.map((count) => count.totalHits)).toEqual([1, 1, 2, 3, 2, 1, 4]);
      for (const { resetTime } of counts) {
        expect(resetTime!.getTime()).toBeGreaterThan(asked + 50_000);
        expect(resetTime!.getTime()).toBeLessThanOrEqual(Date.now() + 60_000);
      }
      await counter.decrement('user:1');
      expect((await counter.increment('user:1')).totalHits).toBe(4);
      await counter.resetKey('user:1');
      expect((await counter.increment('user:1')).totalHits).toBe(1);
      expect(await connection.keys('test:ratelimit:{same-turn}:*')).toHaveLength(3);
    } finally {
      connection.disconnect();
    }
  });

  it('sends the increments of requests that arrive within its gathering time as one script, not one per turn', async () => {
    const connection = new Redis(redis.url);
    try {
      // A gathering time far longer than two turns of the event loop, however busy the machine.
      const counter = new RedisRateLimitCounter(connection, 'test:ratelimit:{gathered}:', 500);
      counter.init({ windowMs: 60_000 } as Parameters<RedisRateLimitCounter['init']>[0]);
      const scripts = vi.spyOn(connection, 'clinicPulseRateLimitIncrement');
      const nextTurn = () => new Promise((resolve) => setImmediate(resolve));
      const counts = [counter.increment('user:1')];
      await nextTurn();
      counts.push(counter.increment('user:2'));
      await nextTurn();
      counts.push(counter.increment('user:1'));
      expect((await Promise.all(counts)).map((count) => count.totalHits)).toEqual([1, 1, 2]);
      expect(scripts).toHaveBeenCalledTimes(1);
    } finally {
      connection.disconnect();
    }
  });
});
