import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../../common/alerts.js';
import type { Conversation, Message } from '../../../common/api.js';
import type { StreamEvent } from '../../../common/events.js';
import { NoticeStore } from '../../../server/notifications/notice-store.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { frameType, openRawStream } from '../../support/sse-client.js';
import { api, DEMO_PASSWORD, login, startTestServer, type TestServer } from '../../support/test-server.js';
import { eventually, STREAM_WAIT_MS, userEvents } from '../support/user-events.js';

interface Person {
  id: number;
  token: string;
  client: ReturnType<typeof api>;
}

let redis: TestRedis;
let server: TestServer;
let smith: Person;
let jones: Person;
let patel: Person;
let admin: Person;
let conversation: Conversation;

const WARD_PC = { id: 'desk-ward-pc-0001', name: "Nurses' station PC" };
const LAPTOP = { id: 'desk-laptop-0002', name: 'Ward laptop' };

async function person(username: string): Promise<Person> {
  const { token, user } = await login(server.url, username, DEMO_PASSWORD);
  return { id: user.id, token, client: api(server.url, token) };
}

async function sendToJones(text: string, priority: 'routine' | 'urgent' = 'routine'): Promise<Message> {
  const response = await smith.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text, priority });
  expect(response.status).toBe(201);
  return response.body.message;
}

const report = (by: Person, desk: { id: string; name: string }, receipts: unknown[]) =>
  by.client.post('/api/alerts/receipts', { desk, receipts });

const statusOf = async (alertId: number, as: Person = smith): Promise<AlertStatus> => {
  const response = await as.client.get<{ alert: AlertStatus }>(`/api/alerts/${alertId}`);
  expect(response.status).toBe(200);
  return response.body.alert;
};

const receiptRows = () => (server.context.db.prepare('SELECT count(*) AS n FROM alert_receipt_facts').get() as { n: number }).n;

const statusEvents = (events: StreamEvent[], alertId: number) =>
  events.filter((event): event is Extract<StreamEvent, { type: 'alert_status' }> => event.type === 'alert_status' && event.alert_id === String(alertId));

beforeAll(async () => {
  redis = await startTestRedis();
  // A long window, so that "many reports, few events" does not depend on how fast this machine is.
  server = await startTestServer({ redisUrl: redis.url, env: { ALERT_STATUS_COALESCE_MS: '600', MESSAGE_RATE_LIMIT: '1000' } });
  [smith, jones, patel, admin] = (await Promise.all(['dr.smith', 'nurse.jones', 'dr.patel', 'admin'].map(person))) as [Person, Person, Person, Person];
  conversation = (await smith.client.post('/api/conversations', { participantIds: [jones.id], title: 'Receipts' })).body.conversation;
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('receipts', () => {
  it('are recorded per recipient and desk, and the sender’s desks hear of them live', async () => {
    const senderDesk = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${smith.token}` });
    try {
      await senderDesk.waitFor((s) => s.messages.some((m) => m.event === 'ready'), STREAM_WAIT_MS);
      const message = await sendToJones('BP 128/82 in room 3');
      expect(message.alertId).toEqual(expect.any(Number));
      const alertId = message.alertId!;
      await eventually(async () => (await userEvents(server.context.redis, jones.id)).some((e) => e.type === 'new_message' && e.alert_id === String(alertId)), 'the message to reach Jones');
      const [event] = (await userEvents(server.context.redis, jones.id)).filter((e) => e.type === 'new_message' && e.alert_id === String(alertId));

      const first = await report(jones, WARD_PC, [
        { alertId, state: 'delivered', eventId: event!.id },
        { alertId, state: 'shown', eventId: event!.id },
      ]);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ recorded: 2, nextReportInMs: 0 });
      // A held receipt implies delivered on that desk too.
      expect((await report(jones, LAPTOP, [{ alertId, state: 'held', reason: 'do_not_disturb' }])).body).toEqual({ recorded: 2, nextReportInMs: 0 });

      const status = await statusOf(alertId);
      expect(status).toMatchObject({ alertId, kind: 'message', priority: 'routine', messageId: message.id, conversationId: conversation.id, acknowledged: null });
      expect(status.counts).toEqual({ recipients: 1, delivered: 1, shown: 1, held: 0, read: 0 });
      const [recipient] = status.recipients;
      expect(recipient).toMatchObject({ userId: jones.id, displayName: 'Nurse Ben Jones', readAt: null, acknowledgedAt: null, deliveredAt: expect.any(String) });
      expect(recipient!.desks).toEqual([
        { deskId: WARD_PC.id, deskName: "Nurses' station PC", deliveredAt: expect.any(String), shownAt: expect.any(String), overDoNotDisturb: false, heldAt: null, heldReason: null },
        { deskId: LAPTOP.id, deskName: 'Ward laptop', deliveredAt: expect.any(String), shownAt: null, overDoNotDisturb: false, heldAt: expect.any(String), heldReason: 'do_not_disturb' },
      ]);

      const isFinalStatus = (m: { event: string; data: string }) => {
        if (frameType(m) !== 'alert_status') return false;
        const data = JSON.parse(m.data) as { alert_id: string; status: AlertStatus };
        return data.alert_id === String(alertId) && data.status.version === status.version;
      };
      await senderDesk.waitFor((s) => s.messages.some(isFinalStatus), STREAM_WAIT_MS);
      const live = JSON.parse(senderDesk.messages.find(isFinalStatus)!.data) as { status: AlertStatus };
      expect(live.status).toEqual(status);
    } finally {
      senderDesk.close();
    }
  });

  it('record each state once: a report repeated, or from a restarted desk, changes nothing', async () => {
    const { alertId } = await sendToJones('Once only');
    expect((await report(jones, WARD_PC, [{ alertId, state: 'shown' }])).body).toEqual({ recorded: 2, nextReportInMs: 0 });
    const before = await statusOf(alertId!);
    const again = await report(jones, WARD_PC, [
      { alertId, state: 'delivered' },
      { alertId, state: 'shown' },
      { alertId, state: 'shown' },
    ]);
    expect(again.body).toEqual({ recorded: 0, nextReportInMs: 0 });
    expect(await statusOf(alertId!)).toEqual(before);
  });

  it('refuse an alert of another user’s with 404, and record nothing of that batch', async () => {
    const { alertId } = await sendToJones('For Jones only');
    const before = receiptRows();
    const stolen = await report(patel, WARD_PC, [{ alertId, state: 'delivered' }]);
    expect(stolen.status).toBe(404);
    expect(stolen.body.error).toEqual({ code: 'not_found', message: `receipts: no alert ${alertId} is addressed to you; nothing was recorded` });
    // Not even the sender may claim the recipient saw it.
    expect((await report(smith, WARD_PC, [{ alertId, state: 'shown' }])).status).toBe(404);
    expect(receiptRows()).toBe(before);
    expect((await statusOf(alertId!)).counts.delivered).toBe(0);
  });

  it('refuse unknown alert ids with a 404 naming them, even beside valid ones', async () => {
    const { alertId } = await sendToJones('Mixed batch');
    const before = receiptRows();
    const mixed = await report(jones, WARD_PC, [
      { alertId, state: 'delivered' },
      { alertId: 987_654_321, state: 'shown' },
    ]);
    expect(mixed.status).toBe(404);
    expect(mixed.body.error.message).toContain('987654321');
    expect(receiptRows()).toBe(before);
  });

  it('refuse malformed reports with 400 naming the field, and record nothing', async () => {
    const { alertId } = await sendToJones('Malformed');
    const before = receiptRows();
    const bodies = [
      {},
      { desk: WARD_PC, receipts: [] },
      { desk: WARD_PC, receipts: [{ alertId, state: 'held' }] },
      { desk: WARD_PC, receipts: [{ alertId, state: 'shown', reason: 'do_not_disturb' }] },
      { desk: WARD_PC, receipts: [{ alertId, state: 'held', reason: 'lunch' }] },
      { desk: WARD_PC, receipts: [{ alertId, state: 'read' }] },
      { desk: WARD_PC, receipts: [{ alertId: 'one', state: 'shown' }] },
      { desk: { id: 'x', name: 'Short id' }, receipts: [{ alertId, state: 'shown' }] },
      { desk: { id: WARD_PC.id, name: '  ' }, receipts: [{ alertId, state: 'shown' }] },
      { desk: WARD_PC, receipts: Array.from({ length: 501 }, () => ({ alertId, state: 'shown' })) },
    ];
    for (const body of bodies) {
      const response = await jones.client.post('/api/alerts/receipts', body);
      expect(response.status, JSON.stringify(body).slice(0, 120)).toBe(400);
      expect(response.body.error.code).toBe('validation_failed');
    }
    expect(receiptRows()).toBe(before);
  });

  it('record read when the recipient’s read position passes the message', async () => {
    const message = await sendToJones('Please read');
    expect((await statusOf(message.alertId!)).recipients[0]!.readAt).toBeNull();
    const read = await jones.client.post(`/api/conversations/${conversation.id}/read`, { lastMessageId: message.id });
    expect(read.status).toBe(200);
    const status = await statusOf(message.alertId!);
    expect(status.recipients[0]!.readAt).toEqual(expect.any(String));
    expect(status.counts.read).toBe(1);
    await eventually(async () => statusEvents(await userEvents(server.context.redis, smith.id), message.alertId!).some((e) => e.status.counts.read === 1), 'the sender to hear it was read');
  });

  it('record read when the recipient replies: the reply reads the message before it', async () => {
    const message = await sendToJones('Can you take bed 4?');
    const reply = await jones.client.post<{ message: Message }>(`/api/conversations/${conversation.id}/messages`, { text: 'On my way' });
    expect(reply.status).toBe(201);
    const status = await statusOf(message.alertId!);
    expect(status.recipients[0]!.readAt).toEqual(expect.any(String));
    expect(status.counts.read).toBe(1);
    await eventually(async () => statusEvents(await userEvents(server.context.redis, smith.id), message.alertId!).some((e) => e.status.counts.read === 1), 'the sender to hear it was read');
  });

  it('reach the sender coalesced: many reports at once become a few status events, the last one complete', async () => {
    const { alertId } = await sendToJones('Busy desk');
    const desks = Array.from({ length: 20 }, (_, i) => ({ id: `desk-busy-${String(i).padStart(4, '0')}`, name: `Desk ${i}` }));
    const answers = await Promise.all(desks.map((desk) => report(jones, desk, [{ alertId, state: 'shown' }])));
    expect(answers.map((answer) => answer.status)).toEqual(desks.map(() => 200));
    const final = await statusOf(alertId!);
    expect(final.recipients[0]!.desks).toHaveLength(20);
    await eventually(async () => statusEvents(await userEvents(server.context.redis, smith.id), alertId!).some((e) => e.status.version === final.version), 'the final status event');
    const events = statusEvents(await userEvents(server.context.redis, smith.id), alertId!);
    expect(events.length).toBeLessThan(5);
    expect(events.at(-1)!.status).toEqual(final);
  });

  it('are shown per recipient to the sender and admins, and only as a summary to the recipient', async () => {
    const { alertId } = await sendToJones('Who sees what');
    await report(jones, WARD_PC, [{ alertId, state: 'shown' }]);
    expect((await statusOf(alertId!, admin)).recipients).toHaveLength(1);
    const own = await statusOf(alertId!, jones);
    expect(own.recipients).toEqual([]);
    expect(own.counts.shown).toBe(1);
    expect((await patel.client.get(`/api/alerts/${alertId}`)).status).toBe(404);

    const listed = await smith.client.get<{ alerts: AlertStatus[] }>(`/api/conversations/${conversation.id}/alerts`);
    expect(listed.body.alerts.find((alert) => alert.alertId === alertId)?.recipients).toHaveLength(1);
    const asRecipient = await jones.client.get<{ alerts: AlertStatus[] }>(`/api/conversations/${conversation.id}/alerts`);
    expect(asRecipient.body.alerts.find((alert) => alert.alertId === alertId)?.recipients).toEqual([]);
    expect((await patel.client.get(`/api/conversations/${conversation.id}/alerts`)).status).toBe(404);
  });

  it('cover notices and reminders as well as messages', async () => {
    const notice = await admin.client.post('/api/admin/system-notifications', { content: 'Fire drill at noon', userIds: [jones.id, patel.id] });
    expect(notice.status).toBe(200);
    await eventually(async () => (await userEvents(server.context.redis, jones.id)).some((e) => e.type === 'system_notification' && e.content === 'Fire drill at noon'), 'the notice');
    const [event] = (await userEvents(server.context.redis, jones.id)).filter((e) => e.type === 'system_notification' && e.content === 'Fire drill at noon');
    const alertId = Number((event as { alert_id: string }).alert_id);
    expect((await report(jones, WARD_PC, [{ alertId, state: 'shown', eventId: event!.id }])).body).toEqual({ recorded: 2, nextReportInMs: 0 });
    const status = await statusOf(alertId, admin);
    expect(status).toMatchObject({ kind: 'notice', counts: { recipients: 2, delivered: 1, shown: 1 } });
    // Only a message's status is published live (a thread shows it); the notice's is the audit's.
    const { alertId: messageAlertId } = await sendToJones('After the drill');
    await report(jones, WARD_PC, [{ alertId: messageAlertId!, state: 'shown' }]);
    await eventually(async () => statusEvents(await userEvents(server.context.redis, smith.id), messageAlertId!).length > 0, "the message's status event");
    const published = (await userEvents(server.context.redis, admin.id)).filter((e) => e.type === 'alert_status');
    expect(published).toEqual([]);
    // Published again after a Redis loss, the notice still names its alert.
    const resent = new NoticeStore(server.context.db).sentSince(new Date(Date.now() - 60_000)).find((notice) => notice.payload.content === 'Fire drill at noon');
    expect(resent?.payload.alert_id).toBe(String(alertId));
  });
});
