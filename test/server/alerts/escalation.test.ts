import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../../common/alerts.js';
import type { Conversation, Message } from '../../../common/api.js';
import type { StreamEvent } from '../../../common/events.js';
import { EscalationSteps } from '../../../server/alerts/escalation-steps.js';
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
let kim: Person;
let direct: Conversation;

async function person(username: string, password = DEMO_PASSWORD): Promise<Person> {
  const { token, user } = await login(server.url, username, password);
  return { id: user.id, client: api(server.url, token) };
}

type Of<T extends StreamEvent['type']> = Extract<StreamEvent, { type: T }>;
const eventsOf = async <T extends StreamEvent['type']>(userId: number, type: T, alertId: number): Promise<Of<T>[]> =>
  (await userEvents(server.context.redis, userId)).filter(
    (event): event is Of<T> => event.type === type && 'alert_id' in event && event.alert_id === String(alertId),
  );

const statusOf = async (alertId: number): Promise<AlertStatus> => (await smith.client.get<{ alert: AlertStatus }>(`/api/alerts/${alertId}`)).body.alert;

async function urgentToJones(text: string, extra: Record<string, unknown> = {}): Promise<Message> {
  const response = await smith.client.post<{ message: Message }>(`/api/conversations/${direct.id}/messages`, { text, priority: 'urgent', ...extra });
  expect(response.status).toBe(201);
  return response.body.message;
}

async function settle(alertId: number): Promise<AlertStatus> {
  await eventually(async () => (await statusOf(alertId)).nextStepAt === null, `alert ${alertId} to finish its steps`);
  // Everything a step announces went into the outbox with it; let the relay publish it.
  await eventually(() => (server.context.db.prepare('SELECT count(*) AS n FROM outbox').get() as { n: number }).n === 0, 'the outbox to drain');
  return statusOf(alertId);
}

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url, env: { ALERT_SCHEDULER_INTERVAL_MS: '50', MESSAGE_RATE_LIMIT: '1000' } });
  [smith, jones, patel, admin] = (await Promise.all(['dr.smith', 'nurse.jones', 'dr.patel', 'admin'].map((name) => person(name)))) as [Person, Person, Person, Person];
  await admin.client.post('/api/admin/users', { username: 'nurse.kim', displayName: 'Nurse Kim Park', role: 'nurse', password: 'kim-password-1' });
  kim = await person('nurse.kim', 'kim-password-1');
  direct = (await smith.client.post<{ conversation: Conversation }>('/api/conversations', { participantIds: [jones.id] })).body.conversation;
  const settings = await admin.client.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 1, repeats: 2, escalationTarget: { kind: 'role', role: 'nurse' } });
  expect(settings.status).toBe(200);
  // Jones is on duty too, but as the one who did not answer he is not escalated to.
  for (const nurse of [kim, jones]) expect((await nurse.client.post('/api/duty', { onDuty: true })).status).toBe(200);
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('an urgent message nobody acknowledges', () => {
  it('is repeated at the interval, then escalated once to the on-duty members of the role', async () => {
    const message = await urgentToJones('URGENT: chest pain in room 3');
    const alertId = message.alertId!;
    await jones.client.post('/api/alerts/receipts', { desk: { id: 'desk-ward-pc-0001', name: 'Ward PC' }, receipts: [{ alertId, state: 'shown' }] });
    const status = await settle(alertId);

    const repeats = await eventsOf(jones.id, 'alert_repeat', alertId);
    expect(repeats.map((event) => `${event.repeat} of ${event.of}`)).toEqual(['1 of 2', '2 of 2']);
    expect(repeats[0]).toMatchObject({ sender: 'Dr. Sarah Smith', text: 'URGENT: chest pain in room 3', message_id: String(message.id) });
    // Each repeat went out at least one interval after the step before it.
    expect(Date.parse(repeats[1]!.timestamp) - Date.parse(repeats[0]!.timestamp)).toBeGreaterThanOrEqual(1_000);

    expect(status.repeats).toEqual({ sent: 2, planned: 2 });
    expect(status.escalation).toMatchObject({ target: 'on-duty nurses', recipients: ['Nurse Kim Park'], failure: null, conversationId: expect.any(Number) });
    for (const told of [smith.id, jones.id]) {
      const escalated = await eventsOf(told, 'alert_escalated', alertId);
      expect(escalated).toHaveLength(1);
      expect(escalated[0]).toMatchObject({ to: 'on-duty nurses', reached: ['Nurse Kim Park'] });
    }

    // Kim got the message, who it was for and what was tried, as an urgent message of its own.
    const toKim = (await userEvents(server.context.redis, kim.id)).filter((event): event is Of<'new_message'> => event.type === 'new_message' && event.conversation_id === String(status.escalation!.conversationId));
    expect(toKim).toHaveLength(1);
    expect(toKim[0]).toMatchObject({ priority: 'urgent', sender: 'Dr. Sarah Smith' });
    expect(toKim[0]!.text).toContain('URGENT: chest pain in room 3');
    expect(toKim[0]!.text).toContain('Nurse Ben Jones: delivered, shown on 1 desk, not read.');
    expect(toKim[0]!.text).toContain('Tried: 2 repeats');
    const escalationStatus = (await kim.client.get<{ alert: AlertStatus }>(`/api/alerts/${toKim[0]!.alert_id}`)).body.alert;
    expect(escalationStatus).toMatchObject({ kind: 'escalation', escalatedFrom: alertId, priority: 'urgent' });
    const recorded = server.context.db.prepare('SELECT via_role FROM alert_recipients WHERE alert_id = ?').pluck().all(Number(toKim[0]!.alert_id));
    expect(recorded).toEqual(['nurse']);
  });

  it('stops at the first acknowledgement: the active step is cleared and a stale timer does nothing', async () => {
    await admin.client.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 30 });
    const message = await urgentToJones('Bay 2 please');
    expect((await statusOf(message.alertId!)).nextStepAt).toEqual(expect.any(String));
    expect((await jones.client.post(`/api/alerts/${message.alertId}/acknowledge`, {})).status).toBe(200);
    const status = await statusOf(message.alertId!);
    expect(status.nextStepAt).toBeNull();
    expect(status.repeats.sent).toBe(0);
    // A timer that wakes after the acknowledgement (another process's, or one from before a restart).
    const steps = new EscalationSteps(server.context.db);
    expect(steps.fire(message.alertId!, 1, new Date(Date.now() + 60_000))).toEqual({ kind: 'stale' });
    expect(await eventsOf(jones.id, 'alert_repeat', message.alertId!)).toEqual([]);
    await admin.client.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 1 });
  });

  it('keeps the settings it was sent with when an admin changes them meanwhile', async () => {
    await admin.client.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 2 });
    const message = await urgentToJones('Snapshot');
    await admin.client.patch('/api/admin/alert-settings', { repeats: 5, escalationTarget: { kind: 'none' } });
    const status = await settle(message.alertId!);
    expect(status.repeats).toEqual({ sent: 2, planned: 2 });
    expect(status.escalation?.target).toBe('on-duty nurses');
    await admin.client.patch('/api/admin/alert-settings', { repeatIntervalSeconds: 1, repeats: 2, escalationTarget: { kind: 'role', role: 'nurse' } });
  });

  it('goes to the backup colleague the sender chose, and acknowledging the escalation stops the original too', async () => {
    const message = await urgentToJones('Need a second opinion', { escalateTo: { kind: 'user', userId: patel.id } });
    const status = await settle(message.alertId!);
    expect(status.escalation).toMatchObject({ target: 'Dr. Raj Patel', recipients: ['Dr. Raj Patel'] });
    const [toPatel] = (await userEvents(server.context.redis, patel.id)).filter((event): event is Of<'new_message'> => event.type === 'new_message' && event.conversation_id === String(status.escalation!.conversationId));
    expect((await patel.client.post(`/api/alerts/${toPatel!.alert_id}/acknowledge`, {})).status).toBe(200);
    expect((await statusOf(message.alertId!)).acknowledged).toMatchObject({ displayName: 'Dr. Raj Patel' });
    await eventually(async () => (await eventsOf(jones.id, 'alert_acknowledged', message.alertId!)).length === 1, 'Jones to hear it was acknowledged');
  });

  it('records that nobody was on duty, and tells the sender', async () => {
    for (const nurse of [kim, jones]) await nurse.client.post('/api/duty', { onDuty: false });
    const message = await urgentToJones('Anyone?');
    const status = await settle(message.alertId!);
    expect(status.escalation).toMatchObject({ target: 'on-duty nurses', recipients: [], failure: 'nobody was on duty as nurses', conversationId: null });
    const [told] = await eventsOf(smith.id, 'alert_escalated', message.alertId!);
    expect(told).toMatchObject({ reached: [], failure: 'nobody was on duty as nurses' });
    for (const nurse of [kim, jones]) await nurse.client.post('/api/duty', { onDuty: true });
  });

  it('refuses a backup colleague who is not an enabled account, with 400, sending nothing', async () => {
    const response = await smith.client.post(`/api/conversations/${direct.id}/messages`, { text: 'x', priority: 'urgent', escalateTo: { kind: 'user', userId: 99_999 } });
    expect(response.status).toBe(400);
    expect(response.body.error.message).toContain('escalateTo.userId');
  });
});
