import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../common/api.js';
import { startTestRedisSentinel } from '../../support/redis-sentinel.js';
import { api, login, startTestServer } from '../../support/test-server.js';
import { openRecipientDesk } from '../support/recipient-desk.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A server on a Sentinel-watched Redis, Dr. Smith signed in, and Nurse Jones's desk on their conversation. */
async function serverBehindSentinel() {
  const sentinel = await startTestRedisSentinel();
  cleanups.push(() => sentinel.stop());
  const server = await startTestServer({
    redisUrl: sentinel.url,
    env: { REDIS_SENTINELS: sentinel.sentinels, REDIS_SENTINEL_NAME: sentinel.name, SSE_RETRY_MS: '200', MESSAGE_RATE_LIMIT: '10000' },
  });
  cleanups.push(() => server.close());
  const sender = api(server.url, (await login(server.url, 'dr.smith', 'clinicpulse')).token);
  const jones = await login(server.url, 'nurse.jones', 'clinicpulse');
  const conversation = await sender.post('/api/conversations', { participantIds: [jones.user.id], title: 'Night shift' });
  const conversationId = (conversation.body as { conversation: { id: number } }).conversation.id;
  const desk = openRecipientDesk(server.url, jones.token, conversationId);
  cleanups.push(() => desk.stop());
  return { sentinel, server, sender, conversationId, desk };
}

describe('one Redis with Sentinel failover (REDIS_SENTINELS)', () => {
  it('delivers every message accepted while the primary is killed (kill -9) and the Sentinel promotes its replica, each once, or after a resync over REST', async () => {
    const { sentinel, sender, conversationId, desk } = await serverBehindSentinel();
    const accepted: number[] = [];
    const send = async (count: number) => {
      for (let i = 0; i < count; i++) {
        const response = await sender.post(`/api/conversations/${conversationId}/messages`, { text: `message ${accepted.length}` });
        if (response.status === 201) accepted.push((response.body as { message: Message }).message.id);
      }
    };
    await send(3);
    await expect.poll(() => desk.viaStream.length, { timeout: 20_000 }).toBe(3);
    const sending = send(40);
    await expect.poll(() => accepted.length).toBeGreaterThanOrEqual(15);
    await sentinel.killPrimary();
    await sending;
    await send(5);
    expect(accepted).toHaveLength(48);
    await expect.poll(() => desk.knows(accepted), { timeout: 30_000 }).toBe(true);
    expect(new Set(desk.viaStream).size).toBe(desk.viaStream.length);
    if (desk.resyncs() === 0) expect(desk.viaStream).toEqual(accepted);
  }, 90_000);

  it('connects again when the client gives a connection up by itself, and streams go on', async () => {
    const { server, sender, conversationId, desk } = await serverBehindSentinel();
    const { redis } = server.context;
    await expect.poll(() => redis.status).toBe('ready');

    // The state ioredis leaves a connection in when a failover races its reconnection ('end',
    // no retry left), reached here the one way a test can: the client told to close, not the server.
    const ended = once(redis, 'end');
    redis.disconnect();
    await ended;
    await expect.poll(() => redis.status).toBe('ready');
    const sent = await sender.post(`/api/conversations/${conversationId}/messages`, { text: 'after the end' });
    expect(sent.status).toBe(201);
    const id = (sent.body as { message: Message }).message.id;
    await expect.poll(() => desk.knows([id])).toBe(true);
  }, 60_000);
});
