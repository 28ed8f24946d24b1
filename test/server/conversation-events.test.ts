import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { eventually, userEvents } from './support/user-events.js';

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

describe('conversation events', () => {
  it('a new conversation is announced to everyone in it before any message is sent', async () => {
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const patel = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const lee = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const created = await api(server.url, smith.token).post('/api/conversations', {
      participantIds: [patel.user.id],
      title: 'Rota swap',
    });
    expect(created.status).toBe(201);
    const announced = async (userId: number) =>
      (await userEvents(server.context.redis, userId)).filter(
        (event) =>
          event.type === 'conversation_changed' &&
          event.conversation_id === String(created.body.conversation.id) &&
          event.change === 'created',
      ).length;
    await eventually(
      async () => (await announced(patel.user.id)) === 1,
      'conversation_changed to Dr. Patel',
    );
    await eventually(
      async () => (await announced(smith.user.id)) === 1,
      "conversation_changed to the creator's desks",
    );
    expect(await announced(lee.user.id)).toBe(0);

    // Asking again for the same pair of people creates nothing and announces nothing.
    const again = await api(server.url, smith.token).post('/api/conversations', {
      participantIds: [patel.user.id],
    });
    const direct = await api(server.url, smith.token).post('/api/conversations', {
      participantIds: [patel.user.id],
    });
    expect(direct.body.conversation.id).toBe(again.body.conversation.id);
    expect(direct.status).toBe(200);
  });
});
