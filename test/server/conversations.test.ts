import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { frameType, openRawStream } from '../support/sse-client.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../support/test-server.js';
import { eventually, rowCounts, settledRowCounts, STREAM_WAIT_MS, userEvents } from './support/user-events.js';

type Client = ReturnType<typeof api>;
interface Person {
  id: number;
  token: string;
  client: Client;
}

let redis: TestRedis;
let server: TestServer;
let smith: Person;
let jones: Person;
let patel: Person;
let lee: Person;

async function person(username: string): Promise<Person> {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, token, client: api(server.url, token) };
}

async function startConversation(creator: Person, others: Person[], title: string): Promise<Conversation> {
  const response = await creator.client.post('/api/conversations', { participantIds: others.map((p) => p.id), title });
  expect(response.status).toBe(201);
  return response.body.conversation as Conversation;
}

async function send(sender: Person, conversationId: number, text: string, clientMessageId?: string): Promise<Message> {
  const response = await sender.client.post(`/api/conversations/${conversationId}/messages`, { text, clientMessageId });
  expect(response.status).toBe(201);
  return response.body.message as Message;
}

const counts = () => rowCounts(server.context.db);
const settledCounts = () => settledRowCounts(server.context.db);

beforeAll(async () => {
  redis = await startTestRedis();
  // Paging sends more messages and starts more conversations than the default limits allow; the limits have their own tests.
  server = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '1000', CONVERSATION_RATE_LIMIT: '1000' } });
  smith = await person('dr.smith');
  jones = await person('nurse.jones');
  patel = await person('dr.patel');
  lee = await person('frontdesk.lee');
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('starting a conversation', () => {
  it('always includes the creator and lists everyone with their public fields', async () => {
    const conversation = await startConversation(smith, [patel, lee], 'Rota');
    expect(conversation.title).toBe('Rota');
    expect(conversation.participants.map((p) => p.id).sort()).toEqual([smith.id, patel.id, lee.id].sort());
    expect(Object.keys(conversation.participants[0]!).sort()).toEqual(['displayName', 'id', 'role', 'username']);
    expect(conversation).toMatchObject({ lastMessage: null, unreadCount: 0 });
    expect((await lee.client.get(`/api/conversations/${conversation.id}`)).body.conversation.id).toBe(conversation.id);
  });

  it('returns the existing one-to-one conversation instead of a duplicate', async () => {
    const before = await settledCounts();
    const first = await smith.client.post('/api/conversations', { participantIds: [jones.id] });
    const again = await jones.client.post('/api/conversations', { participantIds: [smith.id, jones.id] });
    expect(first.status).toBe(200); // the demo data already holds one between them
    expect(again.status).toBe(200);
    expect(again.body.conversation.id).toBe(first.body.conversation.id);
    expect(counts()).toEqual(before);
  });

  it('refuses unknown or disabled participants with 400 naming them, and writes nothing', async () => {
    const before = await settledCounts();
    const unknown = await smith.client.post('/api/conversations', { participantIds: [jones.id, 9_999, 8_888] });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.code).toBe('validation_failed');
    expect(unknown.body.error.message).toMatch(/9999, 8888/);

    const admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
    const created = await admin.post('/api/admin/users', { username: 'gone.user', displayName: 'Gone', role: 'nurse', password: 'password-1' });
    await admin.patch(`/api/admin/users/${created.body.user.id}`, { disabled: true });
    const afterAccount = await settledCounts();
    const disabled = await smith.client.post('/api/conversations', { participantIds: [created.body.user.id] });
    expect(disabled.status).toBe(400);
    expect(disabled.body.error.message).toContain(String(created.body.user.id));

    for (const body of [{}, { participantIds: [] }, { participantIds: [smith.id] }, { participantIds: ['x'] }, { participantIds: [1], title: 5 }, { participantIds: [true] }, { participantIds: [[jones.id]] }, { participantIds: [`0x${jones.id}`] }]) {
      const response = await smith.client.post('/api/conversations', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect(counts()).toEqual(afterAccount);
    expect(afterAccount).toEqual(before);
  });
});

describe('sending a message', () => {
  it("reaches every other participant's stream and history, with the original payload fields, and not the sender's", async () => {
    const conversation = await startConversation(smith, [jones, patel], 'Ward round');
    const stream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${jones.token}` });
    try {
      await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);
      const message = await send(smith, conversation.id, 'Bed 4 needs a review');
      await stream.waitFor((s) => s.messages.some((m) => frameType(m) === 'new_message'), STREAM_WAIT_MS);
      const frame = stream.messages.find((m) => frameType(m) === 'new_message')!;
      expect(JSON.parse(frame.data)).toEqual({
        id: Number(frame.id),
        type: 'new_message',
        conversation_id: String(conversation.id),
        sender: 'Dr. Sarah Smith',
        text: 'Bed 4 needs a review',
        timestamp: message.createdAt,
        message_id: String(message.id),
        sender_id: String(smith.id),
        priority: 'routine',
        // A titled conversation is named, so a pop-up can say where the message was written.
        conversation_title: 'Ward round',
        alert_id: String(message.alertId),
      });
    } finally {
      stream.close();
    }
    const forMessage = (events: Awaited<ReturnType<typeof userEvents>>) =>
      events.filter((e) => e.type === 'new_message' && e.conversation_id === String(conversation.id));
    await eventually(async () => forMessage(await userEvents(server.context.redis, patel.id)).length === 1, "patel's event");
    expect(forMessage(await userEvents(server.context.redis, smith.id))).toEqual([]);
    expect(forMessage(await userEvents(server.context.redis, lee.id))).toEqual([]);
    await eventually(() => counts().outbox === 0, 'the outbox to empty');
  });

  it('moves the conversation to the top of the list with its last message', async () => {
    const conversation = await startConversation(smith, [patel], 'Quick question');
    await send(patel, conversation.id, 'Are you free at 3?');
    const list = (await smith.client.get('/api/conversations')).body.conversations as Conversation[];
    expect(list[0]!.id).toBe(conversation.id);
    expect(list[0]!.lastMessage).toMatchObject({ text: 'Are you free at 3?', senderId: patel.id, senderName: 'Dr. Raj Patel' });
    const times = list.map((c) => c.updatedAt);
    expect([...times].sort().reverse()).toEqual(times);
  });

  it('pages the list, newest activity first, each conversation once', async () => {
    for (let i = 0; i < 5; i++) await startConversation(lee, [patel], `Page ${i}`);
    const all = (await lee.client.get('/api/conversations')).body as { conversations: Conversation[]; hasMore: boolean };
    expect(all.hasMore).toBe(false);
    const paged: Conversation[] = [];
    let before: number | undefined;
    for (;;) {
      const page = (await lee.client.get(`/api/conversations?limit=2${before ? `&before=${before}` : ''}`)).body as { conversations: Conversation[]; hasMore: boolean };
      expect(page.conversations.length).toBeLessThanOrEqual(2);
      paged.push(...page.conversations);
      if (!page.hasMore) break;
      before = page.conversations.at(-1)!.id;
    }
    expect(paged.map((c) => c.id)).toEqual(all.conversations.map((c) => c.id));
    expect(paged).toEqual(all.conversations);
    for (const bad of ['limit=0', 'limit=201', 'limit=abc', 'before=x', 'limit=1.5']) {
      expect((await lee.client.get(`/api/conversations?${bad}`)).status, bad).toBe(400);
    }
  });

  it('with a clientMessageId, a retried send returns the first message (200) and notifies once', async () => {
    const conversation = await startConversation(smith, [jones], 'Retry');
    const first = await smith.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'once', clientMessageId: 'retry-0001' });
    const retry = await smith.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'once', clientMessageId: 'retry-0001' });
    expect(first.status).toBe(201);
    expect(retry.status).toBe(200);
    expect(retry.body.message).toEqual(first.body.message);
    expect(first.body.message.clientMessageId).toBe('retry-0001');
    expect((await smith.client.get(`/api/conversations/${conversation.id}/messages`)).body.messages).toHaveLength(1);
    await eventually(() => counts().outbox === 0, 'the outbox to empty');
    const events = (await userEvents(server.context.redis, jones.id)).filter(
      (e) => e.type === 'new_message' && e.message_id === String(first.body.message.id),
    );
    expect(events).toHaveLength(1);

    const elsewhere = await startConversation(smith, [patel], 'Elsewhere');
    const before = await settledCounts();
    const reused = await smith.client.post(`/api/conversations/${elsewhere.id}/messages`, { text: 'other', clientMessageId: 'retry-0001' });
    expect(reused.status).toBe(409);
    expect(counts()).toEqual(before);
  });

  it('refuses bad input with 4xx JSON and writes no message and no outbox row', async () => {
    const conversation = await startConversation(smith, [jones], 'Validation');
    const before = await settledCounts();
    const path = `/api/conversations/${conversation.id}/messages`;
    for (const body of [{}, { text: '' }, { text: '   \n ' }, { text: 'x'.repeat(4_001) }, { text: 42 }, { text: ['a'] }, { text: 'ok', clientMessageId: 'short' }]) {
      const response = await smith.client.post(path, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    const malformed = await smith.client.post(path, '{"text": "unterminated');
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('invalid_json');
    const oversized = await smith.client.post(path, { text: 'y'.repeat(100_000) });
    expect(oversized.status).toBe(413);
    for (const bad of ['abc', '0', '-3', '1.5', '99999999999999999999', '0x3', '1e3', '%203', '03']) {
      const response = await smith.client.post(`/api/conversations/${bad}/messages`, { text: 'hi' });
      expect(response.status, bad).toBe(400);
    }
    expect((await smith.client.post('/api/conversations/424242/messages', { text: 'hi' })).status).toBe(404);
    expect(counts()).toEqual(before);
  });
});

describe('participants only', () => {
  it('answers 404 to a non-participant for everything about a conversation, like a missing one, and writes nothing', async () => {
    const conversation = await startConversation(smith, [jones], 'Private');
    const message = await send(smith, conversation.id, 'Between us');
    const before = await settledCounts();
    const missing = await lee.client.get('/api/conversations/999999');
    for (const response of [
      await lee.client.get(`/api/conversations/${conversation.id}`),
      await lee.client.get(`/api/conversations/${conversation.id}/messages`),
      await lee.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'let me in' }),
      await lee.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: message.id }),
    ]) {
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
      expect(response.body.error.message).toBe(`no conversation ${conversation.id}`);
    }
    expect(missing.body.error.message).toBe('no conversation 999999');
    expect(counts()).toEqual(before);
    const leesList = (await lee.client.get('/api/conversations')).body.conversations as Conversation[];
    expect(leesList.map((c) => c.id)).not.toContain(conversation.id);
    expect(JSON.stringify(leesList)).not.toContain('Between us');
    expect((await api(server.url).get(`/api/conversations/${conversation.id}/messages`)).status).toBe(401);
  });
});

describe("the user's own other desks", () => {
  const ofConversation = (conversationId: number, type: 'message_sent' | 'conversation_read' | 'new_message') => (events: Awaited<ReturnType<typeof userEvents>>) =>
    events.flatMap((e) => (e.type === type && e.conversation_id === String(conversationId) ? [e] : []));

  it('hear of a message the user sent (message_sent, with its clientMessageId) once, and are not notified of it', async () => {
    const conversation = await startConversation(smith, [jones], 'From another desk');
    const desk = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${smith.token}` });
    let message: Message;
    try {
      await desk.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);
      message = await send(smith, conversation.id, 'Sent from the ward PC', 'own-desk-0001');
      const retried = await smith.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'Sent from the ward PC', clientMessageId: 'own-desk-0001' });
      expect(retried.body.message).toEqual(message);
      const isThisMessage = (m: { event: string; data: string }) =>
        frameType(m) === 'message_sent' && (JSON.parse(m.data) as { message_id: string }).message_id === String(message.id);
      await desk.waitFor((s) => s.messages.some(isThisMessage), STREAM_WAIT_MS);
      const frame = desk.messages.find(isThisMessage)!;
      expect(JSON.parse(frame.data)).toEqual({
        id: Number(frame.id),
        type: 'message_sent',
        conversation_id: String(conversation.id),
        sender: 'Dr. Sarah Smith',
        sender_id: String(smith.id),
        text: 'Sent from the ward PC',
        timestamp: message.createdAt,
        message_id: String(message.id),
        client_message_id: 'own-desk-0001',
        priority: 'routine',
        alert_id: String(message.alertId),
      });
    } finally {
      desk.close();
    }
    await eventually(() => counts().outbox === 0, 'the outbox to empty');
    const events = await userEvents(server.context.redis, smith.id);
    expect(ofConversation(conversation.id, 'message_sent')(events).map((e) => e.message_id)).toEqual([String(message.id)]);
    expect(ofConversation(conversation.id, 'new_message')(events)).toEqual([]);
    // Nothing was unread, so sending read nothing new.
    expect(ofConversation(conversation.id, 'conversation_read')(events)).toEqual([]);
  });

  it('hear that the user read a conversation (conversation_read) whenever the read position moved, and only then', async () => {
    const conversation = await startConversation(smith, [jones], 'Read on another desk');
    const m1 = await send(smith, conversation.id, 'one');
    const m2 = await send(smith, conversation.id, 'two');
    const read = (messageId: number) => jones.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: messageId });
    for (const messageId of [m1.id, m1.id, m2.id, m1.id]) expect((await read(messageId)).status).toBe(200);
    const reads = async () => {
      await eventually(() => counts().outbox === 0, 'the outbox to empty');
      return ofConversation(conversation.id, 'conversation_read')(await userEvents(server.context.redis, jones.id)).map((e) => e.message_id);
    };
    expect(await reads()).toEqual([String(m1.id), String(m2.id)]);

    // Replying reads what was still unread; a reply with nothing unread reads nothing new.
    await send(smith, conversation.id, 'three');
    const reply = await send(jones, conversation.id, 'reply');
    await send(jones, conversation.id, 'and again');
    expect(await reads()).toEqual([String(m1.id), String(m2.id), String(reply.id)]);
  });
});

describe('reading messages', () => {
  it('pages backwards with `before`, oldest first within a page, and says when there is more', async () => {
    const conversation = await startConversation(smith, [patel], 'Paging');
    const sent: Message[] = [];
    for (let i = 1; i <= 7; i++) sent.push(await send(i % 2 ? smith : patel, conversation.id, `line ${i}`));
    const page = async (query: string) => (await patel.client.get(`/api/conversations/${conversation.id}/messages${query}`)).body;

    const newest = await page('?limit=3');
    expect(newest.messages.map((m: Message) => m.text)).toEqual(['line 5', 'line 6', 'line 7']);
    expect(newest.hasMore).toBe(true);
    const middle = await page(`?limit=3&before=${newest.messages[0].id}`);
    expect(middle.messages.map((m: Message) => m.text)).toEqual(['line 2', 'line 3', 'line 4']);
    expect(middle.hasMore).toBe(true);
    const oldest = await page(`?limit=3&before=${middle.messages[0].id}`);
    expect(oldest.messages.map((m: Message) => m.text)).toEqual(['line 1']);
    expect(oldest.hasMore).toBe(false);
    expect([...oldest.messages, ...middle.messages, ...newest.messages]).toEqual(sent);

    const all = await page('');
    expect(all).toEqual({ messages: sent, hasMore: false });
    for (const bad of ['?limit=0', '?limit=201', '?limit=abc', '?before=-1', '?before=x']) {
      const response = await patel.client.get(`/api/conversations/${conversation.id}/messages${bad}`);
      expect(response.status, bad).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
  });

  it("counts others' messages after the read marker as unread, and marking read only moves forward", async () => {
    const conversation = await startConversation(smith, [jones], 'Unread');
    const unreadFor = async (who: Person) =>
      ((await who.client.get('/api/conversations')).body.conversations as Conversation[]).find((c) => c.id === conversation.id)!.unreadCount;
    const m1 = await send(smith, conversation.id, 'one');
    const m2 = await send(smith, conversation.id, 'two');
    const m3 = await send(smith, conversation.id, 'three');
    expect(await unreadFor(jones)).toBe(3);
    expect(await unreadFor(smith)).toBe(0); // one's own messages are read

    const marked = await jones.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: m2.id });
    expect(marked.status).toBe(200);
    expect(marked.body.conversation.unreadCount).toBe(1);
    expect((await jones.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: m1.id })).body.conversation.unreadCount).toBe(1);

    await send(jones, conversation.id, 'reply');
    expect(await unreadFor(jones)).toBe(0); // replying marks everything before it read
    expect(await unreadFor(smith)).toBe(1);
    expect((await jones.client.get(`/api/conversations/${conversation.id}`)).body.conversation.unreadCount).toBe(0);

    const other = await startConversation(smith, [jones], 'Other');
    const foreign = await send(smith, other.id, 'elsewhere');
    for (const body of [{ lastMessageId: foreign.id }, { lastMessageId: 'x' }, { lastMessageId: 0 }, {}]) {
      const response = await jones.client.post(`/api/conversations/${conversation.id}/read`, body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(await unreadFor(smith)).toBe(1);
    expect((await smith.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: m3.id + 100 })).status).toBe(400);
  });
});
