import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationMarksResponse } from '../../common/api.js';
import { isNotifyingEvent, type EventPayload } from '../../common/events.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import {
  EMPTY_INBOX,
  inboxReducer,
  unreadCount,
  type InboxState,
} from '../../renderer/src/inbox/inbox-state.js';
import { startTestRedis } from '../support/redis-server.js';
import { api, login, startTestServer, type TestServer } from '../support/test-server.js';
import { openDesk, waitUntil, type Desk } from './support/desk.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

let server: TestServer;
let publisher: EventPublisher;
beforeAll(async () => {
  const redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  const connection = new Redis(redis.url);
  publisher = new EventPublisher(connection, { historyTtlSeconds: 3600, historyLength: 1000 });
  return async () => {
    connection.disconnect();
    await server.close();
    await redis.stop();
  };
});

const notice = (n: number): EventPayload => ({
  type: 'system_notification',
  content: `notice ${n}`,
  timestamp: new Date().toISOString(),
});

async function desk(token: string, userId: number, dataDirectory: string): Promise<Desk> {
  const opened = await openDesk({ serverUrl: server.url, token, userId, dataDirectory });
  cleanups.push(() => opened.session.stop());
  await waitUntil(() => opened.events.some((event) => event.type === 'ready'), 'the desk is ready');
  return opened;
}

/**
 * What the web inbox of the same person counts right now: a page loaded fresh, fed the history
 * the server replays and the read state it answers over REST (renderer/src/inbox).
 */
async function webInboxUnread(token: string): Promise<number> {
  const client = api(server.url, token);
  const { body: state } = await client.get<{ lastReadEventId: number }>('/api/events/state');
  const { body: marks } = await client.get<NotificationMarksResponse>('/api/notifications/marks');
  const replay = await openDesk({
    serverUrl: server.url,
    token,
    userId: 0,
    dataDirectory: directory(),
  });
  await waitUntil(() => replay.events.some((event) => event.type === 'ready'), 'the history replayed');
  await replay.session.stop();
  let inbox: InboxState = inboxReducer(EMPTY_INBOX, {
    type: 'read_up_to',
    lastEventId: state.lastReadEventId,
  });
  inbox = inboxReducer(inbox, { type: 'marks_loaded', marks: marks.marks });
  for (const event of replay.events)
    if ('id' in event && isNotifyingEvent(event))
      inbox = inboxReducer(inbox, { type: 'received', event });
  return unreadCount(inbox);
}

/** What the tray badge shows: the last count the session told the app. */
const badge = (desk: Desk): number | undefined => desk.unreadCounts.at(-1);

function directory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-desk-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('the desktop badge follows notifications marked one by one, as the web inbox does', () => {
  it('opened on another desk, marked all read, marked unread again: the badge agrees with the web inbox at each step, also after a restart', async () => {
    const { token, user } = await login(server.url, 'nurse.jones', 'clinicpulse');
    const web = api(server.url, token);
    const mark = async (eventIds: number[], read: boolean) =>
      expect((await web.post('/api/notifications/marks', { eventIds, read })).status).toBe(204);
    const dataDirectory = directory();
    const first = await desk(token, user.id, dataDirectory);
    const ids = [
      await publisher.publish(user.id, notice(1)),
      await publisher.publish(user.id, notice(2)),
      await publisher.publish(user.id, notice(3)),
    ];
    await waitUntil(() => badge(first) === 3, 'three unread');

    // A notice opened in the browser is read there: the tray badge drops by one.
    await mark([ids[1]!], true);
    await waitUntil(() => badge(first) === 2, 'the opened notice leaves the badge');
    expect(await webInboxUnread(token)).toBe(2);

    // Mark all read in the browser, then "Mark unread" on the first notice.
    await web.post('/api/events/ack', { lastEventId: ids[2] });
    await waitUntil(() => badge(first) === 0, 'all read');
    await mark([ids[0]!], false);
    await waitUntil(() => badge(first) === 1, 'marked unread counts again');
    expect(await webInboxUnread(token)).toBe(1);

    // The app restarts: the mark is still there, and a later marker does not read it.
    await first.session.stop();
    const second = await desk(token, user.id, dataDirectory);
    expect(second.session.unreadCount).toBe(1);
    const fourth = await publisher.publish(user.id, notice(4));
    await waitUntil(() => badge(second) === 2, 'a new notice');
    await web.post('/api/events/ack', { lastEventId: fourth });
    // The badge is told after the count is written down, so it is what this waits for.
    await waitUntil(() => badge(second) === 1, 'the marker read the new one');
    expect(second.session.unreadCount).toBe(1);
    expect(await webInboxUnread(token)).toBe(1);

    // While the app is closed, the browser marks one read and another unread.
    await second.session.stop();
    await mark([ids[0]!], true);
    await mark([ids[2]!], false);
    const third = await desk(token, user.id, dataDirectory);
    await waitUntil(() => third.session.unreadCount === 1, 'the marks made while closed');
    expect(await webInboxUnread(token)).toBe(1);
    expect(third.session.unreadCount).toBe(1);
  });

  it('a desk signing in for the first time counts what the marks say from the start', async () => {
    const { token, user } = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const web = api(server.url, token);
    const ids = [
      await publisher.publish(user.id, notice(1)),
      await publisher.publish(user.id, notice(2)),
    ];
    await web.post('/api/events/ack', { lastEventId: ids[1] });
    await web.post('/api/notifications/marks', { eventIds: [ids[0]], read: false });
    const fresh = await desk(token, user.id, directory());
    expect(fresh.session.unreadCount).toBe(1);
    expect(fresh.sink.shown).toHaveLength(0);
    expect(await webInboxUnread(token)).toBe(1);
  });
});
