import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../../common/api.js';
import type { StreamEvent } from '../../../common/events.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';
import { eventually, settledRowCounts, userEvents } from '../support/user-events.js';

let redis: TestRedis;
let server: TestServer;
let smith: { id: number; client: ReturnType<typeof api> };
let jones: { id: number; client: ReturnType<typeof api> };

async function person(username: string) {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, client: api(server.url, token) };
}

const messageEvents = (events: StreamEvent[], messageId: number) =>
  events.filter((event) => (event.type === 'new_message' || event.type === 'message_sent') && event.message_id === String(messageId));

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  smith = await person('dr.smith');
  jones = await person('nurse.jones');
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('message priority', () => {
  let conversation: Conversation;
  beforeAll(async () => {
    conversation = (await smith.client.post('/api/conversations', { participantIds: [jones.id], title: 'Room 3' })).body.conversation;
  });

  it('is urgent end to end when the sender chose it: answer, history, the recipient’s event and the sender’s other desks', async () => {
    const sent = await smith.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, {
      text: 'URGENT — chest pain in room 3',
      priority: 'urgent',
    });
    expect(sent.status).toBe(201);
    expect(sent.body.message.priority).toBe('urgent');

    const history = await jones.client.get(`/api/conversations/${conversation.id}/messages`);
    expect(history.body.messages.at(-1)).toMatchObject({ id: sent.body.message.id, priority: 'urgent' });

    await eventually(async () => messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id).length === 1, 'the recipient’s event');
    const [received] = messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id);
    expect(received).toMatchObject({ type: 'new_message', priority: 'urgent', text: 'URGENT — chest pain in room 3', conversation_title: 'Room 3' });
    await eventually(async () => messageEvents(await userEvents(server.context.redis, smith.id), sent.body.message.id).length === 1, 'the sender’s own event');
    const [own] = messageEvents(await userEvents(server.context.redis, smith.id), sent.body.message.id);
    expect(own).toMatchObject({ type: 'message_sent', priority: 'urgent' });
  });

  it('is routine when the sender says nothing', async () => {
    const sent = await smith.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text: 'Lunch?' });
    expect(sent.body.message.priority).toBe('routine');
    await eventually(async () => messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id).length === 1, 'the recipient’s event');
    expect(messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id)[0]).toMatchObject({ priority: 'routine' });
  });

  it('refuses a priority that is not routine or urgent with 400, and writes nothing', async () => {
    const before = await settledRowCounts(server.context.db);
    for (const priority of ['critical', '', 1, null]) {
      const response = await smith.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'x', priority });
      expect(response.status, JSON.stringify(priority)).toBe(400);
      expect(response.body.error).toMatchObject({ code: 'validation_failed', message: expect.stringContaining('priority') });
    }
    expect(await settledRowCounts(server.context.db)).toEqual(before);
  });

  it('lets urgent messages pass do-not-disturb by the clinic’s policy: on by default, off when an admin says so', async () => {
    const admin = await person('admin');
    const eventFor = async (text: string, priority: 'routine' | 'urgent') => {
      const sent = await smith.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text, priority });
      await eventually(async () => messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id).length === 1, text);
      return messageEvents(await userEvents(server.context.redis, jones.id), sent.body.message.id)[0] as Extract<StreamEvent, { type: 'new_message' }>;
    };
    expect((await eventFor('Urgent, policy on', 'urgent')).passes_do_not_disturb).toBe(true);
    expect((await eventFor('Routine, policy on', 'routine')).passes_do_not_disturb).toBeUndefined();
    expect((await admin.client.patch('/api/admin/alert-settings', { urgentPassesDoNotDisturb: false })).status).toBe(200);
    expect((await eventFor('Urgent, policy off', 'urgent')).passes_do_not_disturb).toBeUndefined();
    await admin.client.patch('/api/admin/alert-settings', { urgentPassesDoNotDisturb: true });
  });
});
