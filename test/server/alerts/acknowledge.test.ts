import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../../common/alerts.js';
import type { Message } from '../../../common/api.js';
import type { StreamEvent } from '../../../common/events.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';
import { eventually, settledRowCounts, userEvents } from '../support/user-events.js';

interface Person {
  id: number;
  client: ReturnType<typeof api>;
}

let redis: TestRedis;
let server: TestServer;
let smith: Person;
let jones: Person;
let patel: Person;
let lee: Person;

async function person(username: string): Promise<Person> {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, client: api(server.url, token) };
}

const acknowledgements = async (userId: number, alertId: number) =>
  (await userEvents(server.context.redis, userId)).filter(
    (event): event is Extract<StreamEvent, { type: 'alert_acknowledged' }> => event.type === 'alert_acknowledged' && event.alert_id === String(alertId),
  );

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  [smith, jones, patel, lee] = (await Promise.all(['dr.smith', 'nurse.jones', 'dr.patel', 'frontdesk.lee'].map(person))) as [Person, Person, Person, Person];
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('acknowledging an alert', () => {
  let message: Message;
  beforeAll(async () => {
    const conversation = (await smith.client.post('/api/conversations', { participantIds: [jones.id, patel.id], title: 'Resus' })).body.conversation;
    message = (await smith.client.post(`/api/conversations/${conversation.id}/messages`, { text: 'Crash call bay 2', priority: 'urgent' })).body.message;
  });

  it('on one desk stops it for every recipient and tells the sender, once', async () => {
    const first = await jones.client.post<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}/acknowledge`, { deskId: 'desk-ward-pc-0001' });
    expect(first.status).toBe(200);
    expect(first.body.alert.acknowledged).toEqual({ at: expect.any(String), userId: jones.id, displayName: 'Nurse Ben Jones', deskName: null });

    for (const userId of [jones.id, patel.id, smith.id]) {
      await eventually(async () => (await acknowledgements(userId, message.alertId!)).length === 1, `alert_acknowledged for user ${userId}`);
      const [event] = await acknowledgements(userId, message.alertId!);
      expect(event).toMatchObject({ by: 'Nurse Ben Jones', by_id: String(jones.id), message_id: String(message.id), conversation_id: String(message.conversationId) });
    }
    expect(await acknowledgements(lee.id, message.alertId!)).toEqual([]);
  });

  it('again, by another recipient, keeps the first acknowledgement and announces nothing more', async () => {
    const again = await patel.client.post<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}/acknowledge`, {});
    expect(again.status).toBe(200);
    expect(again.body.alert.acknowledged?.userId).toBe(jones.id);
    await settledRowCounts(server.context.db);
    for (const userId of [jones.id, patel.id, smith.id]) expect(await acknowledgements(userId, message.alertId!)).toHaveLength(1);

    const status = (await smith.client.get<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}`)).body.alert;
    expect(Object.fromEntries(status.recipients.map((r) => [r.displayName, r.acknowledgedAt !== null]))).toEqual({ 'Dr. Raj Patel': true, 'Nurse Ben Jones': true });
  });

  it('is only for the alert’s recipients: anybody else, and unknown ids, get 404 and change nothing', async () => {
    const before = (await smith.client.get<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}`)).body.alert;
    for (const [who, id] of [
      [lee, message.alertId],
      [smith, message.alertId],
      [jones, 987_654_321],
    ] as const) {
      const response = await who.client.post(`/api/alerts/${id}/acknowledge`, {});
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe('not_found');
    }
    const bad = await jones.client.post(`/api/alerts/${message.alertId}/acknowledge`, { deskId: 'no' });
    expect(bad.status).toBe(400);
    expect((await smith.client.get<{ alert: AlertStatus }>(`/api/alerts/${message.alertId}`)).body.alert).toEqual(before);
  });
});
