import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Message } from '../../../common/api.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { openRecipientDesk } from '../support/recipient-desk.js';
import { openRawStream } from '../../support/sse-client.js';
import { userEvents } from '../support/user-events.js';
import { api, login, startTestServer } from '../../support/test-server.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function recipientDesk(serverUrl: string, token: string, conversationId: number, resumeFrom: number | null = null) {
  const desk = openRecipientDesk(serverUrl, token, conversationId, resumeFrom);
  cleanups.push(() => desk.stop());
  return desk;
}

async function clinic(redis: TestRedis, env: Record<string, string> = {}) {
  const server = await startTestServer({
    redisUrl: redis.url,
    env: { SSE_RETRY_MS: '200', MESSAGE_RATE_LIMIT: '10000', ...env },
  });
  cleanups.push(() => server.close());
  const smith = await login(server.url, 'dr.smith', 'clinicpulse');
  const recipients = [await login(server.url, 'nurse.jones', 'clinicpulse'), await login(server.url, 'dr.patel', 'clinicpulse')];
  const sender = api(server.url, smith.token);
  const conversation = await sender.post('/api/conversations', { participantIds: recipients.map((r) => r.user.id), title: 'Ward round' });
  const conversationId = (conversation.body as { conversation: { id: number } }).conversation.id;
  const desks = recipients.map(({ token }) => recipientDesk(server.url, token, conversationId));
  const accepted: number[] = [];
  let sent = 0;
  /** Sends through the HTTP API; every message answered 201 is one the clinic relies on. */
  const send = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const response = await sender.post(`/api/conversations/${conversationId}/messages`, { text: `message ${sent++}` });
      if (response.status === 201) accepted.push((response.body as { message: Message }).message.id);
    }
  };
  const streamsReady = async () => {
    for (const { token } of recipients) {
      const probe = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}` });
      await probe.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
      probe.close();
    }
  };
  return { server, recipients, conversationId, desks, accepted, send, streamsReady };
}

describe('when Redis loses data', () => {
  it('delivers every message accepted while Redis is killed (kill -9, appendfsync everysec) and restarted, each once', async () => {
    const redis = await startTestRedis({ appendOnly: true, appendFsync: 'everysec' });
    cleanups.push(() => redis.stop());
    const { desks, accepted, send, streamsReady } = await clinic(redis);
    await streamsReady();
    const sending = send(60);
    await expect.poll(() => accepted.length).toBeGreaterThanOrEqual(20);
    await redis.stop({ keepData: true });
    await expect.poll(() => accepted.length).toBeGreaterThanOrEqual(30);
    await redis.start();
    await sending;
    await send(10);
    expect(accepted).toHaveLength(70);
    for (const desk of desks) {
      await expect.poll(() => desk.knows(accepted), { timeout: 20_000 }).toBe(true);
      expect(new Set(desk.viaStream).size).toBe(desk.viaStream.length);
      // Without a resync, the stream alone brought every message.
      if (desk.resyncs() === 0) expect(desk.viaStream.toSorted((a, b) => a - b)).toEqual(accepted);
    }
  });

  it('after Redis comes back with older data: a desk that saw the lost events is told to resync and gets no message twice, and one that was away gets them', async () => {
    const redis = await startTestRedis({ appendOnly: true, appendFsync: 'everysec' });
    cleanups.push(() => redis.stop());
    const { server, recipients, conversationId, desks, accepted, send, streamsReady } = await clinic(redis);
    await streamsReady();
    await send(5);
    for (const desk of desks) await expect.poll(() => desk.viaStream.length).toBe(5);
    // Nurse Jones's second desk goes to sleep here, having seen the first five.
    const sleeping = desks[0]!.lastId();
    // An older copy of Redis's data: what a machine crash before fsync, or a replica promoted
    // right after a failover, brings back.
    const backup = join(redis.dir, '..', `${redis.port}-backup`);
    cpSync(redis.dir, backup, { recursive: true });
    cleanups.push(() => rmSync(backup, { recursive: true, force: true }));
    await send(5);
    const forgotten = accepted.slice(5);
    const admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
    expect((await admin.post('/api/admin/system-notifications', { content: 'Fire drill at 11:00' })).status).toBe(200);
    const soon = { time: new Date(Date.now() + 600_000).toISOString(), content: 'Dressing change, room 4', remindUserIds: recipients.map((r) => r.user.id) };
    expect((await admin.post('/api/appointments', soon)).status).toBe(201);
    for (const desk of desks) await expect.poll(() => desk.viaStream.length).toBe(10);
    for (const desk of desks) await expect.poll(() => desk.notices).toEqual(['Fire drill at 11:00', 'Dressing change, room 4']);

    await redis.stop({ keepData: true });
    rmSync(redis.dir, { recursive: true, force: true });
    cpSync(backup, redis.dir, { recursive: true });
    await send(3);
    await redis.start();
    await send(5);
    const after = accepted.slice(10);
    expect(after).toHaveLength(8);
    for (const desk of desks) {
      // Every later message comes on the stream: none is skipped as "already seen".
      await expect.poll(() => after.every((id) => desk.viaStream.includes(id)), { timeout: 20_000 }).toBe(true);
      expect(desk.resyncs()).toBeGreaterThanOrEqual(1);
      expect(desk.knows([...forgotten, ...after])).toBe(true);
      // What Redis forgot was published again, but this desk had it: no message comes twice.
      expect(new Set(desk.viaStream).size).toBe(desk.viaStream.length);
    }

    // The sleeping desk wakes up where it was: what Redis forgot was published again for it,
    // each once, the notice too, and it needs no resync.
    const woken = recipientDesk(server.url, recipients[0]!.token, conversationId, sleeping);
    await expect.poll(() => [...forgotten, ...after].every((id) => woken.viaStream.includes(id)), { timeout: 20_000 }).toBe(true);
    await expect.poll(() => woken.notices.toSorted()).toEqual(['Dressing change, room 4', 'Fire drill at 11:00']);
    expect(new Set(woken.viaStream).size).toBe(woken.viaStream.length);
    expect(woken.resyncs()).toBe(0);
  }, 90_000);

  it('publishes again what Redis lost when it was away for longer than REDIS_LOSS_WINDOW_SECONDS (a slow failover)', async () => {
    const redis = await startTestRedis({ appendOnly: true, appendFsync: 'everysec' });
    cleanups.push(() => redis.stop());
    const { server, recipients, conversationId, desks, accepted, send, streamsReady } = await clinic(redis, { REDIS_LOSS_WINDOW_SECONDS: '4' });
    await streamsReady();
    await send(3);
    for (const desk of desks) await expect.poll(() => desk.viaStream.length).toBe(3);
    const sleeping = desks[0]!.lastId();
    const backup = join(redis.dir, '..', `${redis.port}-backup`);
    cpSync(redis.dir, backup, { recursive: true });
    cleanups.push(() => rmSync(backup, { recursive: true, force: true }));
    await send(3);
    const forgotten = accepted.slice(3);
    // In Redis, and Redis goes away right after (a loaded machine must not let the window pass first).
    const inRedis = async () => (await userEvents(server.context.redis, recipients[0]!.user.id)).filter((event) => event.type === 'new_message').length;
    await expect.poll(inRedis).toBe(6);

    // Redis comes back with the older data, after an outage twice the window: what it lost
    // was sent within the window before it went away, and that is what counts.
    await redis.stop({ keepData: true });
    rmSync(redis.dir, { recursive: true, force: true });
    cpSync(backup, redis.dir, { recursive: true });
    await new Promise((resolve) => setTimeout(resolve, 8_000));
    await redis.start();

    const woken = recipientDesk(server.url, recipients[0]!.token, conversationId, sleeping);
    await expect.poll(() => forgotten.every((id) => woken.viaStream.includes(id)), { timeout: 20_000 }).toBe(true);
    expect(new Set(woken.viaStream).size).toBe(woken.viaStream.length);
    expect(woken.resyncs()).toBe(0);
  }, 60_000);

  it.each([
    ['a reminder', 'appointment_reminder'],
    ['a notice', 'system_notification'],
  ] as const)('publishes %s Redis lost again as a copy of the first: not to a desk that had it, to one that was away', async (_what, type) => {
    const redis = await startTestRedis({ appendOnly: true, appendFsync: 'always' });
    cleanups.push(() => redis.stop());
    const { server, recipients } = await clinic(redis);
    const jones = recipients[0]!;
    const sent = async () => (await userEvents(server.context.redis, jones.user.id)).filter((event) => event.type === type);
    const before = (await userEvents(server.context.redis, jones.user.id)).at(-1)?.id ?? 0;
    const backup = join(redis.dir, '..', `${redis.port}-backup`);
    cpSync(redis.dir, backup, { recursive: true });
    cleanups.push(() => rmSync(backup, { recursive: true, force: true }));

    const admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
    if (type === 'appointment_reminder') {
      const soon = { time: new Date(Date.now() + 600_000).toISOString(), content: 'Dressing change, room 4', remindUserIds: [jones.user.id] };
      expect((await admin.post('/api/appointments', soon)).status).toBe(201);
    } else {
      expect((await admin.post('/api/admin/system-notifications', { content: 'Fire drill at 11:00', userIds: [jones.user.id, recipients[1]!.user.id] })).status).toBe(200);
    }
    await expect.poll(async () => (await sent()).length).toBe(1);
    const [first] = await sent();

    // Redis comes back without it; the server sends what it sent in the window again.
    await redis.stop({ keepData: true });
    rmSync(redis.dir, { recursive: true, force: true });
    cpSync(backup, redis.dir, { recursive: true });
    await redis.start();
    await expect.poll(async () => (await sent()).length, { timeout: 20_000 }).toBe(1);
    const [copy] = await sent();
    expect(copy!.id).toBeGreaterThan(first!.id);
    expect((copy as unknown as { replaces?: number }).replaces).toBe(first!.id);

    const stream = (lastEventId: number) => openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${jones.token}`, 'last-event-id': String(lastEventId) });
    const wasAway = await stream(before);
    cleanups.push(() => wasAway.close());
    await wasAway.waitFor((s) => s.eventIds().includes(copy!.id));
    const hadIt = await stream(first!.id);
    cleanups.push(() => hadIt.close());
    await hadIt.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
    expect(hadIt.messages.filter((m) => m.data?.includes(`"${type}"`))).toEqual([]);
  }, 60_000);

  it('sends a live stream every copy of an event it had not had, and none of one it had', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const { server, recipients } = await clinic(redis);
    const userId = recipients[0]!.user.id;
    const notice = (content: string) => ({ type: 'system_notification' as const, content, timestamp: new Date().toISOString() });
    const publisher = server.context.publisher;
    const [had, resumedFrom] = [await publisher.publish(userId, notice('had')), await publisher.publish(userId, notice('resumed from here'))];
    const stream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${recipients[0]!.token}`, 'last-event-id': String(resumedFrom) });
    cleanups.push(() => stream.close());
    await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'));

    // Copies as the outbox publishes them after a loss: of one event the desk had, then of two
    // it never got (their first ids above its Last-Event-ID), in one batch, live.
    const copies = await publisher.publishBatch([
      { userId, payload: notice('copy of one it had'), dedupeKey: 'copy-test:1', firstId: had },
      { userId, payload: notice('lost one'), dedupeKey: 'copy-test:2', firstId: resumedFrom + 1 },
      { userId, payload: notice('lost two'), dedupeKey: 'copy-test:3', firstId: resumedFrom + 2 },
    ]);
    await stream.waitFor((s) => s.eventIds().includes(copies[2]!));
    expect(stream.eventIds()).toEqual([copies[1], copies[2]]);
  });
});
