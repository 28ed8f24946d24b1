import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationResponse, ConversationsResponse } from '../../common/api.js';
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
type Person = { id: number; client: ReturnType<typeof api> };
let smith: Person;
let patel: Person;
let jones: Person;
let lee: Person;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '1000' } });
  const person = async (username: string): Promise<Person> => {
    const signedIn = await login(server.url, username, DEMO_PASSWORD);
    return { id: signedIn.user.id, client: api(server.url, signedIn.token) };
  };
  smith = await person('dr.smith');
  patel = await person('dr.patel');
  jones = await person('nurse.jones');
  lee = await person('frontdesk.lee');
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

async function group(title: string) {
  const response = await smith.client.post<ConversationResponse>('/api/conversations', {
    participantIds: [patel.id, jones.id],
    title,
  });
  return response.body.conversation.id;
}

const messagesTo = async (person: Person, conversationId: number) =>
  (await userEvents(server.context.redis, person.id)).filter(
    (event) => event.type === 'new_message' && event.conversation_id === String(conversationId),
  );

describe('managing a conversation', () => {
  it('someone removed stops receiving its messages and can no longer open it', async () => {
    const id = await group('Night shift');
    await smith.client.post(`/api/conversations/${id}/messages`, { text: 'before' });
    await eventually(
      async () => (await messagesTo(jones, id)).length === 1,
      'the first message to Nurse Jones',
    );

    expect(
      (await smith.client.delete(`/api/conversations/${id}/participants/${jones.id}`)).status,
    ).toBe(200);
    await eventually(
      async () =>
        (await userEvents(server.context.redis, jones.id)).some(
          (event) =>
            event.type === 'conversation_changed' &&
            event.conversation_id === String(id) &&
            event.change === 'participants_changed',
        ),
      'conversation_changed to the one removed',
    );
    await smith.client.post(`/api/conversations/${id}/messages`, { text: 'after' });
    await eventually(
      async () => (await messagesTo(patel, id)).length === 2,
      'the second message to Dr. Patel',
    );
    expect(
      (await messagesTo(jones, id)).map((event) => event.type === 'new_message' && event.text),
    ).toEqual(['before']);
    expect((await jones.client.get(`/api/conversations/${id}`)).status).toBe(404);
    expect(
      (await jones.client.post(`/api/conversations/${id}/messages`, { text: 'still here?' }))
        .status,
    ).toBe(404);
  });

  it('only its creator removes others; anyone may leave; someone added sees it and receives from then on', async () => {
    const id = await group('Rota');
    expect(
      (await patel.client.delete(`/api/conversations/${id}/participants/${jones.id}`)).status,
    ).toBe(403);
    const added = await patel.client.post<ConversationResponse>(
      `/api/conversations/${id}/participants`,
      { userIds: [lee.id] },
    );
    expect(added.body.conversation.participants.map((person) => person.id)).toContain(lee.id);
    await eventually(
      async () =>
        (await userEvents(server.context.redis, lee.id)).some(
          (event) => event.type === 'conversation_changed' && event.conversation_id === String(id),
        ),
      'conversation_changed to the one added',
    );
    await smith.client.post(`/api/conversations/${id}/messages`, { text: 'welcome' });
    await eventually(
      async () => (await messagesTo(lee, id)).length === 1,
      'a message to the one added',
    );

    expect(
      (await patel.client.delete(`/api/conversations/${id}/participants/${patel.id}`)).status,
    ).toBe(204);
    const list = await patel.client.get<ConversationsResponse>('/api/conversations');
    expect(list.body.conversations.map((conversation) => conversation.id)).not.toContain(id);
  });

  it('renames for everyone, and mutes for oneself: counted as unread, marked muted for the pop-up', async () => {
    const id = await group('Old name');
    const renamed = await patel.client.patch<ConversationResponse>(`/api/conversations/${id}`, {
      title: 'Ward 5 handover',
    });
    expect(renamed.body.conversation.title).toBe('Ward 5 handover');
    expect(
      (await jones.client.get<ConversationResponse>(`/api/conversations/${id}`)).body.conversation
        .title,
    ).toBe('Ward 5 handover');

    const muted = await jones.client.patch<ConversationResponse>(`/api/conversations/${id}`, {
      muted: true,
    });
    expect(muted.body.conversation.muted).toBe(true);
    expect(
      (await patel.client.get<ConversationResponse>(`/api/conversations/${id}`)).body.conversation
        .muted,
    ).toBeUndefined();
    await smith.client.post(`/api/conversations/${id}/messages`, { text: 'quiet please' });
    await eventually(
      async () => (await messagesTo(jones, id)).length === 1,
      'the message to the muted one',
    );
    expect((await messagesTo(jones, id))[0]).toMatchObject({ muted: true, text: 'quiet please' });
    expect((await messagesTo(patel, id))[0]).not.toHaveProperty('muted');
    expect(
      (await jones.client.get<ConversationResponse>(`/api/conversations/${id}`)).body.conversation
        .unreadCount,
    ).toBe(1);
  });

  it('refuses bad changes with a 4xx that changes nothing', async () => {
    const id = await group('Checks');
    expect((await smith.client.patch(`/api/conversations/${id}`, {})).status).toBe(400);
    expect((await smith.client.patch(`/api/conversations/${id}`, { title: '' })).status).toBe(400);
    expect(
      (await smith.client.post(`/api/conversations/${id}/participants`, { userIds: [9999] }))
        .status,
    ).toBe(400);
    expect((await lee.client.patch(`/api/conversations/${id}`, { title: 'mine' })).status).toBe(
      404,
    );
    expect(
      (await smith.client.get<ConversationResponse>(`/api/conversations/${id}`)).body.conversation
        .title,
    ).toBe('Checks');
  });
});
