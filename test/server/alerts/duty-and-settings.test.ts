import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_SETTINGS } from '../../../common/alert-settings.js';
import type { AlertStatus } from '../../../common/alerts.js';
import type { RoleMessageResponse } from '../../../common/api.js';
import type { OnDutyResponse } from '../../../common/duty.js';
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
let admin: Person;

async function person(username: string): Promise<Person> {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, client: api(server.url, token) };
}

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  [smith, jones, admin] = (await Promise.all(['dr.smith', 'nurse.jones', 'admin'].map(person))) as [Person, Person, Person];
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('on duty', () => {
  it('is set by staff for themselves and by admins for others, and read by everyone', async () => {
    expect((await smith.client.get<OnDutyResponse>('/api/duty')).body).toEqual({ onDuty: [] });
    const mine = await jones.client.post<OnDutyResponse>('/api/duty', { onDuty: true });
    expect(mine.status).toBe(200);
    expect(mine.body.onDuty).toEqual([{ userId: jones.id, displayName: 'Nurse Ben Jones', role: 'nurse', since: expect.any(String) }]);
    expect((await admin.client.post(`/api/admin/duty/${smith.id}`, { onDuty: true })).status).toBe(200);
    expect((await jones.client.get<OnDutyResponse>('/api/duty')).body.onDuty.map((entry) => entry.userId).sort()).toEqual([smith.id, jones.id].sort());
    expect((await admin.client.post(`/api/admin/duty/${smith.id}`, { onDuty: false })).body.onDuty.map((entry: { userId: number }) => entry.userId)).toEqual([jones.id]);
  });

  it('refuses others’ duty to non-admins, bad bodies and unknown people', async () => {
    expect((await smith.client.post(`/api/admin/duty/${jones.id}`, { onDuty: false })).status).toBe(403);
    for (const body of [{}, { onDuty: 'yes' }]) expect((await jones.client.post('/api/duty', body)).status).toBe(400);
    expect((await admin.client.post('/api/admin/duty/99999', { onDuty: true })).status).toBe(400);
    expect((await jones.client.get<OnDutyResponse>('/api/duty')).body.onDuty.map((entry) => entry.userId)).toEqual([jones.id]);
  });
});

describe('a message to the on-duty role', () => {
  it('reaches whoever is on duty now, in a conversation named for the role, and records that it came through the role', async () => {
    const sent = await smith.client.post<RoleMessageResponse>('/api/role-messages', { role: 'nurse', text: 'Bed 4 needs obs', clientMessageId: 'role-msg-0001' });
    expect(sent.status).toBe(201);
    expect(sent.body.conversation.title).toBe('On-duty nurses');
    expect(sent.body.conversation.participants.map((p) => p.id).sort()).toEqual([smith.id, jones.id].sort());
    await eventually(async () => (await userEvents(server.context.redis, jones.id)).some((e) => e.type === 'new_message' && e.text === 'Bed 4 needs obs'), 'Jones to get it');
    const status = (await smith.client.get<{ alert: AlertStatus }>(`/api/alerts/${sent.body.message.alertId}`)).body.alert;
    expect(status.recipients).toEqual([expect.objectContaining({ userId: jones.id, viaRole: 'nurse' })]);

    const retried = await smith.client.post<RoleMessageResponse>('/api/role-messages', { role: 'nurse', text: 'Bed 4 needs obs', clientMessageId: 'role-msg-0001' });
    expect(retried.status).toBe(200);
    expect(retried.body.message.id).toBe(sent.body.message.id);
  });

  it('is a 409 when nobody is on duty in that role, and writes nothing', async () => {
    const before = await settledRowCounts(server.context.db);
    const response = await smith.client.post('/api/role-messages', { role: 'front_desk', text: 'Anyone at the desk?' });
    expect(response.status).toBe(409);
    expect(response.body.error).toEqual({ code: 'conflict', message: 'nobody is on duty as front desk staff right now' });
    expect((await smith.client.post('/api/role-messages', { role: 'porter', text: 'x' })).status).toBe(400);
    expect(await settledRowCounts(server.context.db)).toEqual(before);
  });
});

describe('the clinic’s alert settings', () => {
  it('start at the defaults, are read by everyone and changed by admins only', async () => {
    expect((await jones.client.get('/api/alerts/settings')).body).toEqual({ settings: DEFAULT_ALERT_SETTINGS });
    expect((await smith.client.patch('/api/admin/alert-settings', { repeats: 1 })).status).toBe(403);
    const changed = await admin.client.patch('/api/admin/alert-settings', { repeats: 5, escalationTarget: { kind: 'user', userId: jones.id } });
    expect(changed.status).toBe(200);
    expect(changed.body.settings).toEqual({ ...DEFAULT_ALERT_SETTINGS, repeats: 5, escalationTarget: { kind: 'user', userId: jones.id } });
    expect((await smith.client.get('/api/alerts/settings')).body.settings.repeats).toBe(5);
  });

  it('refuse values out of range, unknown fields and unknown colleagues with 400, changing nothing', async () => {
    const before = (await admin.client.get('/api/alerts/settings')).body;
    for (const body of [
      {},
      { repeats: 11 },
      { repeatIntervalSeconds: 0 },
      { auditRetentionDays: 0 },
      { urgentPassesDoNotDisturb: 'yes' },
      { escalationTarget: { kind: 'role', role: 'porter' } },
      { escalationTarget: { kind: 'user', userId: 99_999 } },
      { colour: 'red' },
    ]) {
      const response = await admin.client.patch('/api/admin/alert-settings', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect((await admin.client.get('/api/alerts/settings')).body).toEqual(before);
  });
});
