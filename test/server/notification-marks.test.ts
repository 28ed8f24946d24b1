import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationMarksResponse } from '../../common/api.js';
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
let nurse: ReturnType<typeof api>;
let nurseId: number;
let doctor: ReturnType<typeof api>;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  const nurseLogin = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  nurse = api(server.url, nurseLogin.token);
  nurseId = nurseLogin.user.id;
  doctor = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('notifications marked one by one', () => {
  it('keeps each mark for the user and tells every desk of theirs with notifications_marked', async () => {
    const first = (await nurse.post('/api/test/system-notification', { content: 'one' })).body.id;
    const second = (await nurse.post('/api/test/system-notification', { content: 'two' })).body.id;

    expect(
      (await nurse.post('/api/notifications/marks', { eventIds: [first, second], read: true }))
        .status,
    ).toBe(204);
    expect(
      (await nurse.post('/api/notifications/marks', { eventIds: [second], read: false })).status,
    ).toBe(204);
    const { body } = await nurse.get<NotificationMarksResponse>('/api/notifications/marks');
    expect(body.marks).toEqual([
      { eventId: first, read: true },
      { eventId: second, read: false },
    ]);

    await eventually(
      async () =>
        (await userEvents(server.context.redis, nurseId)).filter(
          (event) => event.type === 'notifications_marked',
        ).length === 2,
      'two notifications_marked events',
    );
    const marked = (await userEvents(server.context.redis, nurseId)).filter(
      (event) => event.type === 'notifications_marked',
    );
    expect(
      marked.map((event) => event.type === 'notifications_marked' && [event.event_ids, event.read]),
    ).toEqual([
      [[first, second], true],
      [[second], false],
    ]);
    // Someone else's marks are their own.
    expect(
      (await doctor.get<NotificationMarksResponse>('/api/notifications/marks')).body.marks,
    ).toEqual([]);
  });

  it('refuses a bad request with a 400 that changes nothing, and needs a session', async () => {
    const before = (await nurse.get<NotificationMarksResponse>('/api/notifications/marks')).body
      .marks;
    for (const body of [
      {},
      { eventIds: [], read: true },
      { eventIds: [1], read: 'yes' },
      { eventIds: [-3], read: true },
    ]) {
      const response = await nurse.post('/api/notifications/marks', body);
      expect(response.status).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect(
      (await nurse.get<NotificationMarksResponse>('/api/notifications/marks')).body.marks,
    ).toEqual(before);
    expect(
      (await api(server.url).post('/api/notifications/marks', { eventIds: [1], read: true }))
        .status,
    ).toBe(401);
  });
});
