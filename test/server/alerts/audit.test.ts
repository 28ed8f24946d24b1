import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Conversation, Message } from '../../../common/api.js';
import type { AuditAlertResponse, AuditAlertsResponse, AuditExportResponse } from '../../../common/audit.js';
import { purgeExpiredAlerts } from '../../../server/alerts/audit-retention.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';
import { eventually, userEvents } from '../support/user-events.js';

interface Person {
  id: number;
  client: ReturnType<typeof api>;
}

let redis: TestRedis;
let server: TestServer;
let smith: Person;
let jones: Person;
let patel: Person;
let admin: Person;
let urgent: Message;
let routine: Message;
let formula: Message;

const WARD_PC = { id: 'desk-ward-pc-0001', name: "Nurses' station PC" };

async function person(username: string): Promise<Person> {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, client: api(server.url, token) };
}

const list = async (query = '') => (await admin.client.get<AuditAlertsResponse>(`/api/admin/audit/alerts${query}`)).body;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url, env: { ALERT_SCHEDULER_INTERVAL_MS: '50' } });
  [smith, jones, patel, admin] = (await Promise.all(['dr.smith', 'nurse.jones', 'dr.patel', 'admin'].map(person))) as [Person, Person, Person, Person];
  const conversation = (await smith.client.post<{ conversation: Conversation }>('/api/conversations', { participantIds: [jones.id], title: 'Room 3' })).body.conversation;
  const send = async (text: string, priority: 'routine' | 'urgent') =>
    (await smith.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text, priority })).body.message;
  urgent = await send('URGENT: chest pain in room 3', 'urgent');
  routine = await send('Lunch, "usual place"?', 'routine');
  formula = await send('=HYPERLINK("http://x.test","click")', 'routine');
  await jones.client.post('/api/alerts/receipts', {
    desk: WARD_PC,
    receipts: [
      { alertId: urgent.alertId, state: 'shown', overDoNotDisturb: true },
      { alertId: routine.alertId, state: 'held', reason: 'do_not_disturb' },
    ],
  });
  await jones.client.post(`/api/alerts/${urgent.alertId}/acknowledge`, { deskId: WARD_PC.id });
  await admin.client.post('/api/admin/system-notifications', { content: 'Fire drill at noon', userIds: [jones.id, patel.id] });
  // A reminder that fell due already: the scheduler sends it on its next tick.
  await smith.client.post('/api/appointments', { time: new Date(Date.now() + 120_000).toISOString(), content: 'Mrs Chen, bloods', remindUserIds: [patel.id], reminderLeadMinutes: 10 });
  await eventually(async () => (await userEvents(server.context.redis, patel.id)).some((event) => event.type === 'appointment_reminder'), 'the reminder');
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('the delivery audit', () => {
  it('lists every message, reminder and notice newest first, with what became of it', async () => {
    const { alerts, hasMore } = await list();
    expect(hasMore).toBe(false);
    expect(alerts.map((alert) => alert.kind)).toEqual(['reminder', 'notice', 'message', 'message', 'message']);
    const chest = alerts.find((alert) => alert.alertId === urgent.alertId)!;
    expect(chest).toMatchObject({
      priority: 'urgent',
      sender: 'Dr. Sarah Smith',
      summary: 'URGENT: chest pain in room 3',
      counts: { recipients: 1, delivered: 1, shown: 1, held: 0, read: 0 },
      acknowledged: { at: expect.any(String), by: 'Nurse Ben Jones' },
    });
    expect(alerts.find((alert) => alert.kind === 'notice')).toMatchObject({ sender: 'Clinic IT Admin', counts: { recipients: 2, delivered: 0 } });
    expect(alerts.find((alert) => alert.kind === 'reminder')).toMatchObject({ priority: 'urgent', summary: 'Mrs Chen, bloods' });
  });

  it('filters by kind, priority, person, words, acknowledgement and day, and pages', async () => {
    expect((await list('?kind=notice')).alerts.map((alert) => alert.summary)).toEqual(['Fire drill at noon']);
    expect((await list('?priority=urgent')).alerts.map((alert) => alert.kind)).toEqual(['reminder', 'message']);
    expect((await list(`?userId=${patel.id}`)).alerts.map((alert) => alert.kind)).toEqual(['reminder', 'notice']);
    expect((await list('?q=chest')).alerts.map((alert) => alert.alertId)).toEqual([urgent.alertId]);
    expect((await list('?q=%25')).alerts).toEqual([]);
    expect((await list('?kind=message&unacknowledged=true')).alerts.map((alert) => alert.alertId)).toEqual([formula.alertId, routine.alertId]);
    const today = new Date().toISOString().slice(0, 10);
    expect((await list(`?from=${today}&to=${today}`)).alerts).toHaveLength(5);
    expect((await list('?to=2020-01-01')).alerts).toEqual([]);
    const first = await list('?limit=2');
    expect(first).toMatchObject({ hasMore: true });
    const next = await list(`?limit=2&before=${first.alerts.at(-1)!.alertId}`);
    expect(next.alerts.map((alert) => alert.alertId).every((id) => id < first.alerts.at(-1)!.alertId)).toBe(true);
  });

  it('shows one alert with every fact in the order it was recorded', async () => {
    const detail = (await admin.client.get<AuditAlertResponse>(`/api/admin/audit/alerts/${urgent.alertId}`)).body;
    expect(detail.summary).toBe('URGENT: chest pain in room 3');
    expect(detail.log.map((entry) => [entry.displayName, entry.deskName, entry.state, entry.reason])).toEqual([
      ['Nurse Ben Jones', "Nurses' station PC", 'delivered', null],
      ['Nurse Ben Jones', "Nurses' station PC", 'shown', 'over_do_not_disturb'],
      ['Nurse Ben Jones', "Nurses' station PC", 'acknowledged', null],
    ]);
    expect(detail.alert.acknowledged).toMatchObject({ displayName: 'Nurse Ben Jones', deskName: "Nurses' station PC" });
    expect((await admin.client.get('/api/admin/audit/alerts/999999')).status).toBe(404);
  });

  it('exports as CSV: one row per fact and per recipient never reached, with text that cannot run as a formula', async () => {
    const file = await admin.client.get(`/api/admin/audit/alerts.csv?kind=message`);
    expect(file.status).toBe(200);
    expect(file.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(file.headers.get('content-disposition')).toMatch(/^attachment; filename="?clinicpulse-delivery-audit-[\d-]+\.csv"?$/);
    const lines = (file.body as string).trimEnd().split('\r\n');
    expect(lines[0]).toBe('alert_id,kind,priority,sent_at,sender,text,recipient,via_role,desk,state,reason,at');
    const forAlert = (id: number | null) => lines.filter((line) => line.startsWith(`${id},`));
    expect(forAlert(urgent.alertId).map((line) => line.split(',').slice(9, 11).join(','))).toEqual(['delivered,', 'shown,over_do_not_disturb', 'acknowledged,']);
    expect(forAlert(routine.alertId)[0]).toContain(',"Lunch, ""usual place""?",');
    expect(forAlert(routine.alertId).map((line) => line.split(',').slice(-3, -1).join(','))).toEqual(['delivered,', 'held,do_not_disturb']);
    expect(forAlert(formula.alertId)).toEqual([expect.stringContaining(`,"'=HYPERLINK(""http://x.test"",""click"")",Nurse Ben Jones,,,not_delivered,,`)]);

    const json = (await admin.client.get<AuditExportResponse>('/api/admin/audit/export?kind=message')).body;
    expect(json.csv).toBe(file.body);
  });

  it('is for admins only, and refuses a malformed filter with 400', async () => {
    for (const path of ['/api/admin/audit/alerts', '/api/admin/audit/alerts.csv', `/api/admin/audit/alerts/${urgent.alertId}`, '/api/admin/audit/export'])
      expect((await smith.client.get(path)).status, path).toBe(403);
    for (const query of ['?kind=letter', '?from=2025-13-01', '?limit=0', '?userId=abc', '?unacknowledged=maybe'])
      expect((await admin.client.get(`/api/admin/audit/alerts${query}`)).status, query).toBe(400);
  });

  it('keeps alerts only for the retention period; the messages themselves stay', async () => {
    const inTwoDays = new Date(Date.now() + 2 * 86_400_000);
    expect(purgeExpiredAlerts(server.context.db, 3, inTwoDays)).toBe(0);
    expect(purgeExpiredAlerts(server.context.db, 1, inTwoDays, 2)).toBe(5);
    expect((await list()).alerts).toEqual([]);
    expect((server.context.db.prepare('SELECT count(*) AS n FROM alert_receipt_facts').get() as { n: number }).n).toBe(0);
    const messages = (await smith.client.get(`/api/conversations/${urgent.conversationId}/messages`)).body.messages as Message[];
    expect(messages.find((message) => message.id === urgent.id)).toMatchObject({ text: 'URGENT: chest pain in room 3', alertId: null });
  });
});
