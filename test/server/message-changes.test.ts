import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MessageResponse, MessagesResponse, SearchResponse } from '../../common/api.js';
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
let smith: ReturnType<typeof api>;
let patel: ReturnType<typeof api>;
let patelId: number;
let conversationId: number;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  smith = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
  const patelLogin = await login(server.url, 'dr.patel', DEMO_PASSWORD);
  patel = api(server.url, patelLogin.token);
  patelId = patelLogin.user.id;
  conversationId = (
    await smith.post('/api/conversations', { participantIds: [patelId], title: 'Edits' })
  ).body.conversation.id;
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const send = async (text: string) =>
  (await smith.post<MessageResponse>(`/api/conversations/${conversationId}/messages`, { text }))
    .body.message;
const changesTo = async (userId: number, messageId: number) =>
  (await userEvents(server.context.redis, userId)).filter(
    (event) => event.type === 'message_changed' && event.message_id === String(messageId),
  );

describe('changing a message', () => {
  it('its sender edits it; every desk hears the new text, the old one is kept', async () => {
    const message = await send('Bed 4 at 10');
    const edited = await smith.patch<MessageResponse>(
      `/api/conversations/${conversationId}/messages/${message.id}`,
      {
        text: 'Bed 4 at 11',
      },
    );
    expect(edited.status).toBe(200);
    expect(edited.body.message).toMatchObject({
      text: 'Bed 4 at 11',
      editedAt: expect.any(String),
    });
    await eventually(
      async () => (await changesTo(patelId, message.id)).length === 1,
      'message_changed to Dr. Patel',
    );
    expect((await changesTo(patelId, message.id))[0]).toMatchObject({
      change: 'edited',
      text: 'Bed 4 at 11',
    });
    const page = await patel.get<MessagesResponse>(`/api/conversations/${conversationId}/messages`);
    expect(page.body.messages.find((item) => item.id === message.id)?.text).toBe('Bed 4 at 11');
    const kept = server.context.db
      .prepare('SELECT change, old_text FROM message_edits WHERE message_id = ?')
      .all(message.id);
    expect(kept).toEqual([{ change: 'edited', old_text: 'Bed 4 at 10' }]);
  });

  it('its sender deletes it: a placeholder stays, the text is gone everywhere, search included', async () => {
    const message = await send('Wrong patient, sorry: zebrafish');
    const deleted = await smith.delete<MessageResponse>(
      `/api/conversations/${conversationId}/messages/${message.id}`,
    );
    expect(deleted.body.message).toMatchObject({ deleted: true, text: '' });
    const page = await patel.get<MessagesResponse>(`/api/conversations/${conversationId}/messages`);
    expect(page.body.messages.find((item) => item.id === message.id)).toMatchObject({
      deleted: true,
      text: '',
    });
    expect((await patel.get<SearchResponse>('/api/search?q=zebrafish')).body.results).toEqual([]);
    expect(
      (
        await smith.patch(`/api/conversations/${conversationId}/messages/${message.id}`, {
          text: 'again',
        })
      ).status,
    ).toBe(409);
  });

  it('only its sender, and only within the window; anyone acknowledges with a 👍', async () => {
    const message = await send('Please confirm the drip rate');
    expect(
      (
        await patel.patch(`/api/conversations/${conversationId}/messages/${message.id}`, {
          text: 'mine',
        })
      ).status,
    ).toBe(403);
    const acknowledged = await patel.post<MessageResponse>(
      `/api/conversations/${conversationId}/messages/${message.id}/acknowledgement`,
      { acknowledged: true },
    );
    expect(acknowledged.body.message.acknowledgedBy).toEqual([patelId]);
    server.context.db
      .prepare('UPDATE messages SET created_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 16 * 60_000).toISOString(), message.id);
    const late = await smith.patch(`/api/conversations/${conversationId}/messages/${message.id}`, {
      text: 'too late',
    });
    expect(late.status).toBe(409);
    expect(late.body.error.message).toMatch(/15 minutes/);
    expect(
      (
        await smith.patch(`/api/conversations/${conversationId}/messages/${message.id}`, {
          text: ' ',
        })
      ).status,
    ).toBe(400);
  });
});

describe('replying to a message', () => {
  it('quotes the message it answers, for the recipients live and in the history', async () => {
    const first = await send('Who has the keys to the drug cupboard?');
    const reply = await patel.post<MessageResponse>(
      `/api/conversations/${conversationId}/messages`,
      {
        text: 'Nurse Jones has them',
        replyToId: first.id,
      },
    );
    expect(reply.status).toBe(201);
    expect(reply.body.message.replyTo).toEqual({
      id: first.id,
      senderName: 'Dr. Sarah Smith',
      text: 'Who has the keys to the drug cupboard?',
    });
    const smithId = first.senderId;
    await eventually(
      async () =>
        (await userEvents(server.context.redis, smithId)).some(
          (event) =>
            event.type === 'new_message' && event.reply_to?.message_id === String(first.id),
        ),
      'the reply, quoting, to Dr. Smith',
    );
    const page = await smith.get<MessagesResponse>(`/api/conversations/${conversationId}/messages`);
    expect(page.body.messages.at(-1)?.replyTo?.id).toBe(first.id);
    const elsewhere = await smith.post('/api/conversations', {
      participantIds: [patelId],
      title: 'Other',
    });
    const wrong = await patel.post(
      `/api/conversations/${elsewhere.body.conversation.id}/messages`,
      {
        text: 'misplaced',
        replyToId: first.id,
      },
    );
    expect(wrong.status).toBe(400);
  });
});
