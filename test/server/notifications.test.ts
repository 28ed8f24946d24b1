import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../support/test-server.js';
import { eventually, rowCounts, settledRowCounts, userEvents } from './support/user-events.js';

let redis: TestRedis;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

describe('system notifications and test endpoints', () => {
  let server: TestServer;
  let admin: ReturnType<typeof api>;
  let staff: (User & { disabled?: boolean })[];
  let extraNurse: User;
  let disabledNurse: User;

  const noticesOf = async (userId: number) =>
    (await userEvents(server.context.redis, userId)).filter((e) => e.type === 'system_notification').map((e) => (e.type === 'system_notification' ? e.content : ''));
  const byName = (username: string) => staff.find((user) => user.username === username)!;

  beforeAll(async () => {
    server = await startTestServer({ redisUrl: redis.url });
    admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
    extraNurse = (await admin.post('/api/admin/users', { username: 'nurse.kim', displayName: 'Nurse Kim', role: 'nurse', password: 'password-kim' })).body.user;
    disabledNurse = (await admin.post('/api/admin/users', { username: 'nurse.old', displayName: 'Nurse Old', role: 'nurse', password: 'password-old' })).body.user;
    await admin.patch(`/api/admin/users/${disabledNurse.id}`, { disabled: true });
    staff = (await admin.get('/api/admin/users')).body.users;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('to a role reaches that role’s enabled accounts and nobody else', async () => {
    const response = await admin.post('/api/admin/system-notifications', { content: 'Nurses: flu jabs at 4', role: 'nurse' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ recipients: 2 });
    for (const user of staff) {
      const expected = user.role === 'nurse' && !user.disabled ? ['Nurses: flu jabs at 4'] : [];
      expect(await noticesOf(user.id), user.username).toEqual(expected);
    }
    const [event] = (await userEvents(server.context.redis, extraNurse.id)).filter((e) => e.type === 'system_notification');
    expect(event).toEqual({ id: expect.any(Number), type: 'system_notification', content: 'Nurses: flu jabs at 4', timestamp: expect.any(String), alert_id: expect.stringMatching(/^\d+$/) });
  });

  it('to everyone reaches every enabled account; to named users only them', async () => {
    const everyone = await admin.post('/api/admin/system-notifications', { content: 'Fire drill at noon' });
    expect(everyone.body.recipients).toBe(staff.filter((user) => !user.disabled).length);
    for (const user of staff) expect((await noticesOf(user.id)).includes('Fire drill at noon'), user.username).toBe(!user.disabled);

    const named = [byName('dr.smith').id, byName('frontdesk.lee').id];
    expect((await admin.post('/api/admin/system-notifications', { content: 'Parking', userIds: [...named, named[0]] })).body).toEqual({ recipients: 2 });
    for (const user of staff) expect((await noticesOf(user.id)).includes('Parking'), user.username).toBe(named.includes(user.id));
  });

  it('is for admins only, and refuses bad requests, publishing nothing', async () => {
    const nurse = api(server.url, (await login(server.url, 'nurse.jones', DEMO_PASSWORD)).token);
    const forbidden = await nurse.post('/api/admin/system-notifications', { content: 'I am not an admin' });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.code).toBe('forbidden');
    expect((await api(server.url).post('/api/admin/system-notifications', { content: 'anonymous' })).status).toBe(401);

    const before = await Promise.all(staff.map((user) => noticesOf(user.id)));
    const cases: [object, RegExp][] = [
      [{ content: 'To ghosts', userIds: [byName('dr.smith').id, 424_242] }, /424242/],
      [{ content: 'To the disabled', userIds: [disabledNurse.id] }, new RegExp(String(disabledNurse.id))],
      [{ content: 'Both', role: 'nurse', userIds: [byName('dr.smith').id] }, /not both/],
      [{ content: '' }, /content/],
      [{ content: 'Bad role', role: 'surgeon' }, /role/],
      [{ content: 7 }, /content/],
      [{ content: 'x'.repeat(2_001) }, /content/],
      [{ content: 'Empty list', userIds: [] }, /userIds/],
    ];
    for (const [body, message] of cases) {
      const response = await admin.post('/api/admin/system-notifications', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
      expect(response.body.error.message).toMatch(message);
    }
    expect(await Promise.all(staff.map((user) => noticesOf(user.id)))).toEqual(before);
  });

  it('each test endpoint publishes its event to the signed-in user only, with defaults for missing fields', async () => {
    const patel = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const client = api(server.url, patel.token);
    const othersBefore = await userEvents(server.context.redis, byName('dr.smith').id);
    const requests: [string, object, object][] = [
      [
        '/api/test/appointment-reminder',
        { appointmentId: 'test-123', time: '2025-01-20T14:00:00Z', content: 'Test appointment' },
        { type: 'appointment_reminder', appointmentId: 'test-123', time: '2025-01-20T14:00:00Z', content: 'Test appointment', timestamp: expect.any(String) },
      ],
      ['/api/test/appointment-reminder', {}, { type: 'appointment_reminder', appointmentId: expect.stringMatching(/^test-/), time: expect.any(String), content: expect.any(String), timestamp: expect.any(String) }],
      ['/api/test/system-notification', { content: 'Your profile is incomplete' }, { type: 'system_notification', content: 'Your profile is incomplete', timestamp: expect.any(String) }],
      ['/api/test/system-notification', {}, { type: 'system_notification', content: expect.any(String), timestamp: expect.any(String) }],
      [
        '/api/test/new-message',
        { conversation_id: '123', sender: 'Dr. Smith', text: 'Hello, how are you feeling?' },
        { type: 'new_message', conversation_id: '123', sender: 'Dr. Smith', text: 'Hello, how are you feeling?', timestamp: expect.any(String) },
      ],
      ['/api/test/new-message', {}, { type: 'new_message', conversation_id: expect.any(String), sender: expect.any(String), text: expect.any(String), timestamp: expect.any(String) }],
    ];
    for (const [path, body, expected] of requests) {
      const response = await client.post(path, body);
      expect(response.status, path).toBe(200);
      expect(response.body).toEqual({ id: expect.any(Number) });
      const last = (await userEvents(server.context.redis, patel.user.id)).at(-1);
      expect(last).toEqual({ id: response.body.id, ...expected });
    }
    expect(await userEvents(server.context.redis, byName('dr.smith').id)).toEqual(othersBefore);

    const count = (await userEvents(server.context.redis, patel.user.id)).length;
    for (const [path, body] of [
      ['/api/test/system-notification', { content: 5 }],
      ['/api/test/new-message', { conversation_id: 12 }],
      ['/api/test/new-message', { text: 'x'.repeat(4_001) }],
      ['/api/test/appointment-reminder', { appointmentId: '' }],
      ['/api/test/appointment-reminder', { time: ['soon'] }],
    ] as const) {
      const response = await client.post(path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect((await client.post('/api/test/system-notification', '{"content":')).body.error.code).toBe('invalid_json');
    expect((await api(server.url).post('/api/test/system-notification', {})).status).toBe(401);
    expect((await userEvents(server.context.redis, patel.user.id)).length).toBe(count);
  });
});

describe('limits and switches', () => {
  it('answers 429 with Retry-After past the per-user message and test-endpoint limits, writing nothing', async () => {
    const server = await startTestServer({ redisUrl: redis.url, env: { MESSAGE_RATE_LIMIT: '3', TEST_ENDPOINT_RATE_LIMIT: '2' } });
    try {
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const client = api(server.url, smith.token);
      const conversation = (await client.post('/api/conversations', { participantIds: [jones.user.id] })).body.conversation;
      const path = `/api/conversations/${conversation.id}/messages`;
      for (let i = 0; i < 3; i++) expect((await client.post(path, { text: `m${i}` })).status).toBe(201);
      const before = await settledRowCounts(server.context.db);
      const limited = await client.post(path, { text: 'one too many' });
      expect(limited.status).toBe(429);
      expect(limited.body.error.code).toBe('too_many_requests');
      expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(rowCounts(server.context.db)).toEqual(before);
      // The limit is per user: Jones can still answer.
      expect((await api(server.url, jones.token).post(path, { text: 'still here' })).status).toBe(201);

      for (let i = 0; i < 2; i++) expect((await client.post('/api/test/system-notification', {})).status).toBe(200);
      const events = (await userEvents(server.context.redis, smith.user.id)).length;
      const tooMany = await client.post('/api/test/new-message', {});
      expect(tooMany.status).toBe(429);
      expect(tooMany.body.error.code).toBe('too_many_requests');
      expect(Number(tooMany.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await userEvents(server.context.redis, smith.user.id)).length).toBe(events);
    } finally {
      await server.close();
    }
  });

  it('answers 429 past the per-user limits on new appointments and new conversations, writing nothing', async () => {
    const server = await startTestServer({ redisUrl: redis.url, env: { APPOINTMENT_RATE_LIMIT: '2', CONVERSATION_RATE_LIMIT: '2' } });
    try {
      // Earlier tests on this Redis counted against the same limits.
      const counts = await server.context.redis.keys('clinicpulse:ratelimit:*');
      if (counts.length > 0) await server.context.redis.del(...counts);
      const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
      const client = api(server.url, smith.token);
      const appointment = { time: new Date(Date.now() + 3_600_000).toISOString(), content: 'Check-up', remindUserIds: [smith.user.id], reminderLeadMinutes: 120 };
      for (let i = 0; i < 2; i++) expect((await client.post('/api/appointments', appointment)).status).toBe(201);
      const others = (await client.get('/api/users')).body.users.filter((user: { id: number }) => user.id !== smith.user.id);
      for (let i = 0; i < 2; i++) expect((await client.post('/api/conversations', { participantIds: [others[i].id], title: `Room ${i}` })).status).toBe(201);
      const before = await settledRowCounts(server.context.db);
      for (const limited of [await client.post('/api/appointments', appointment), await client.post('/api/conversations', { participantIds: [others[2].id], title: 'Room 9' })]) {
        expect(limited.status).toBe(429);
        expect(limited.body.error.code).toBe('too_many_requests');
        expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
      }
      expect(rowCounts(server.context.db)).toEqual(before);
    } finally {
      await server.close();
    }
  });

  it('has no test endpoints when TEST_ENDPOINTS is off', async () => {
    const server = await startTestServer({ redisUrl: redis.url, env: { TEST_ENDPOINTS: 'false' } });
    try {
      const client = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
      for (const path of ['/api/test/appointment-reminder', '/api/test/system-notification', '/api/test/new-message']) {
        const response = await client.post(path, {});
        expect(response.status).toBe(404);
        expect(response.body.error.code).toBe('not_found');
      }
    } finally {
      await server.close();
    }
  });
});

describe('while Redis is down', () => {
  it('publishing endpoints answer 503 with Retry-After; an appointment is still saved and reminded once Redis is back', async () => {
    const own = await startTestRedis({ appendOnly: true });
    const server = await startTestServer({ redisUrl: own.url });
    try {
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
      const client = api(server.url, jones.token);
      await own.stop({ keepData: true });
      await eventually(() => server.context.redis.status !== 'ready', 'the server to notice');

      for (const response of [
        await client.post('/api/test/system-notification', {}),
        await admin.post('/api/admin/system-notifications', { content: 'Nobody hears this' }),
      ]) {
        expect(response.status).toBe(503);
        expect(response.body.error.code).toBe('unavailable');
        expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
      }

      const created = await client.post('/api/appointments', {
        time: new Date(Date.now() + 60_000).toISOString(),
        content: 'Saved offline',
        remindUserIds: [jones.user.id],
      });
      expect(created.status).toBe(201);
      await own.start();
      await eventually(
        async () => (await userEvents(server.context.redis, jones.user.id)).some((e) => e.type === 'appointment_reminder'),
        'the reminder after Redis is back',
      );
      const events = await userEvents(server.context.redis, jones.user.id);
      expect(events.filter((e) => e.type === 'appointment_reminder').map((e) => (e.type === 'appointment_reminder' ? e.appointmentId : ''))).toEqual([
        String(created.body.appointment.id),
      ]);
      expect(events.some((e) => e.type === 'system_notification')).toBe(false);
    } finally {
      await server.close();
      await own.stop();
    }
  });
});

describe('a notice whose publish times out', () => {
  it('is kept and finished once Redis answers: each recipient gets it once, with an alert that exists, and the history lists it', async () => {
    const own = await startTestRedis();
    const server = await startTestServer({ redisUrl: own.url });
    try {
      const jones = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
      const admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
      // A hung Redis: the publish times out here, and Redis still runs it once it wakes up.
      own.pause();
      let sent;
      try {
        sent = await admin.post('/api/admin/system-notifications', { content: 'Lift out of order', userIds: [jones.user.id] });
      } finally {
        own.resume();
      }
      expect(sent.status).toBe(202);
      expect(sent.body).toEqual({ recipients: 1, queued: true });

      await eventually(
        async () => (await admin.get('/api/admin/system-notices')).body.notices.some((n: { content: string }) => n.content === 'Lift out of order'),
        'the notice to be finished and listed',
      );
      const notices = (await userEvents(server.context.redis, jones.user.id)).filter(
        (e) => e.type === 'system_notification' && e.content === 'Lift out of order',
      );
      expect(notices).toHaveLength(1);
      const alertId = notices[0]?.type === 'system_notification' ? notices[0].alert_id : undefined;
      expect((await admin.get(`/api/alerts/${alertId}`)).status).toBe(200);
    } finally {
      await server.close();
      await own.stop();
    }
  });
});
