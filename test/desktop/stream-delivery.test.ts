import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../common/events.js';
import { cursorPath } from '../../main/cursor/cursor-path.js';
import { CursorStore } from '../../main/cursor/cursor-store.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  login,
  spawnServerProcess,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { openDesk, waitUntil, type Desk } from './support/desk.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function publisherFor(redis: TestRedis): EventPublisher {
  const connection = new Redis(redis.url);
  cleanups.push(() => connection.disconnect());
  return new EventPublisher(connection, { historyTtlSeconds: 3600, historyLength: 1000 });
}

/** One Redis and one in-process server for the tests that do not restart it; each test signs in as its own user. */
let shared: { redis: TestRedis; server: TestServer; publisher: EventPublisher };
beforeAll(async () => {
  const redis = await startTestRedis();
  const server = await startTestServer({ redisUrl: redis.url });
  const connection = new Redis(redis.url);
  shared = {
    redis,
    server,
    publisher: new EventPublisher(connection, { historyTtlSeconds: 3600, historyLength: 1000 }),
  };
  return async () => {
    connection.disconnect();
    await server.close();
    await redis.stop();
  };
});

const chat = (n: number): EventPayload => ({
  type: 'new_message',
  conversation_id: String(1 + (n % 3)),
  sender: 'Nurse Ben Jones',
  text: `message ${n}`,
  timestamp: new Date().toISOString(),
});

async function closeDesk(desk: Desk) {
  await desk.session.stop();
}

/** Each id exactly once across every pop-up of every run, and nothing else. */
function expectEachNotifiedOnce(desks: Desk[], ids: number[]) {
  const notified = desks.flatMap((desk) => desk.sink.eventIds());
  expect([...notified].sort((a, b) => a - b)).toEqual([...ids].sort((a, b) => a - b));
}

/** Opens a desk and waits until it has caught up (`ready`), so later events are live. */
async function readyDesk(options: Parameters<typeof openDesk>[0]): Promise<Desk> {
  const desk = await openDesk(options);
  cleanups.push(() => desk.session.stop());
  await waitUntil(() => desk.events.some((event) => event.type === 'ready'), 'the desk is ready');
  return desk;
}

describe('desktop stream client against the real server and Redis', () => {
  it('loses no event and pops none up twice while the server restarts mid-publish', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const publisher = publisherFor(redis);
    const serverData = temporaryDirectory('clinicpulse-server-');
    let server = await spawnServerProcess({ redisUrl: redis.url, dataDir: serverData });
    cleanups.push(() => server.kill());
    const { token, user } = await login(server.url, 'dr.smith', 'clinicpulse');
    const desk = await readyDesk({
      serverUrl: server.url,
      token,
      userId: user.id,
      dataDirectory: temporaryDirectory('clinicpulse-desk-'),
    });

    const published: number[] = [];
    const publishing = (async () => {
      for (let n = 0; n < 60; n++) {
        published.push(await publisher.publish(user.id, chat(n)));
        await new Promise((resolve) => setTimeout(resolve, 15));
      }
    })();
    await waitUntil(() => published.length >= 15, 'some events are out');
    expect(await server.stop()).toBe(0);
    await waitUntil(
      () => desk.states.some((state) => state.status === 'reconnecting'),
      'the desk notices',
    );
    server = await spawnServerProcess({
      redisUrl: redis.url,
      dataDir: serverData,
      port: server.port,
    });
    await publishing;

    await waitUntil(
      () => desk.eventIds().length >= published.length,
      'every event reached the desk',
    );
    await waitUntil(
      () => desk.sink.eventIds().length >= published.length,
      'every event is notified',
    );
    expect(desk.eventIds()).toEqual(published);
    expectEachNotifiedOnce([desk], published);
    // Every reconnect asked for exactly what followed the last event it had received.
    expect(desk.streamRequests.length).toBeGreaterThan(1);
    for (const header of desk.streamRequests.slice(1))
      expect(published.map(String)).toContain(header);
    expect(desk.session.unreadCount).toBe(published.length);
    expect(desk.states.map((state) => state.status)).toContain('connected');
  });

  it('an app restart with the same data directory notifies each event missed while closed exactly once', async () => {
    const { server, publisher } = shared;
    const { token, user } = await login(server.url, 'dr.smith', 'clinicpulse');
    const dataDirectory = temporaryDirectory('clinicpulse-desk-');

    const first = await readyDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    const seen: number[] = [];
    for (let n = 0; n < 5; n++) seen.push(await publisher.publish(user.id, chat(n)));
    await waitUntil(() => first.sink.eventIds().length === 5, 'the first run notified its events');
    await closeDesk(first);

    const missed: number[] = [];
    for (let n = 5; n < 12; n++) missed.push(await publisher.publish(user.id, chat(n)));

    const second = await readyDesk({
      serverUrl: server.url,
      token,
      userId: user.id,
      dataDirectory,
    });
    await waitUntil(
      () => second.sink.eventIds().length >= missed.length,
      'the second run caught up',
    );
    const live = await publisher.publish(user.id, chat(12));
    await waitUntil(() => second.sink.eventIds().includes(live), 'a live event after the restart');
    await closeDesk(second);

    expect(second.streamRequests[0]).toBe(String(seen.at(-1)));
    expect(second.eventIds()).toEqual([...missed, live]);
    expectEachNotifiedOnce([first, second], [...seen, ...missed, live]);
    expect(second.session.unreadCount).toBe(seen.length + missed.length + 1);

    // A third start with nothing new pops up nothing.
    const third = await readyDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    expect(third.sink.shown).toEqual([]);
    expect(third.session.unreadCount).toBe(13);
  });

  it('the backlog waiting at a first sign-in on this desk is counted, not popped up', async () => {
    const { server, publisher } = shared;
    const { token, user } = await login(server.url, 'dr.patel', 'clinicpulse');
    const old = await publisher.publish(user.id, chat(0));
    await fetch(`${server.url}/api/events/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lastEventId: old }),
    });
    const waiting = [
      await publisher.publish(user.id, chat(1)),
      await publisher.publish(user.id, chat(2)),
    ];

    // A first run that stopped after the first waiting event, before the replay was over…
    const dataDirectory = temporaryDirectory('clinicpulse-desk-');
    const interrupted = await CursorStore.open(cursorPath(dataDirectory, server.url, user.id));
    interrupted.advance(waiting[0]!);
    interrupted.setUnreadState({
      lastReadEventId: old,
      unreadIds: [waiting[0]!],
      unreadMessages: [],
      readIds: [],
      marks: [],
    });
    await interrupted.persist();
    // …still treats the rest of that backlog as backlog after the restart.
    const desk = await readyDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    expect(desk.streamRequests[0]).toBe(String(waiting[0]));
    expect(desk.session.unreadCount).toBe(2);
    const live = await publisher.publish(user.id, chat(3));
    await waitUntil(() => desk.sink.eventIds().includes(live), 'the live event pops up');
    expect(desk.sink.eventIds()).toEqual([live]);
    expect(desk.eventIds()).toEqual([waiting[1], live]);
    expect(desk.session.unreadCount).toBe(3);
  });

  it('marking all read clears the badge, and a read on another desk reaches this one', async () => {
    const { server, publisher } = shared;
    const { token, user } = await login(server.url, 'nurse.jones', 'clinicpulse');
    const desk = await readyDesk({
      serverUrl: server.url,
      token,
      userId: user.id,
      dataDirectory: temporaryDirectory('clinicpulse-desk-'),
    });
    const ids = [
      await publisher.publish(user.id, chat(1)),
      await publisher.publish(user.id, chat(2)),
    ];
    await waitUntil(() => desk.session.unreadCount === 2, 'two unread');

    await fetch(`${server.url}/api/events/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lastEventId: ids[0] }),
    });
    await waitUntil(() => desk.session.unreadCount === 1, 'the other desk read one');
    await publisher.publish(user.id, chat(3));
    await waitUntil(() => desk.session.unreadCount === 2, 'a new one arrives');
    await desk.session.markAllRead();
    expect(desk.session.unreadCount).toBe(0);
    await waitUntil(
      () => desk.events.filter((event) => event.type === 'notifications_read').length === 2,
      'the read event comes back',
    );
    expect(desk.session.unreadCount).toBe(0);
    expect(desk.unreadCounts.at(-1)).toBe(0);
  });

  it("hears the user's own sends and reads from other desks: no pop-up for either, and a conversation read anywhere leaves the badge", async () => {
    const { server } = shared;
    const me = await login(server.url, 'admin', 'clinicpulse');
    const colleague = await login(server.url, 'dr.smith', 'clinicpulse');
    const desk = await readyDesk({
      serverUrl: server.url,
      token: me.token,
      userId: me.user.id,
      dataDirectory: temporaryDirectory('clinicpulse-desk-'),
    });
    const post = async (token: string, path: string, body: unknown) => {
      const response = await fetch(`${server.url}/api${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(response.ok).toBe(true);
      return response.json() as Promise<{ conversation: { id: number }; message: { id: number } }>;
    };
    const { conversation } = await post(me.token, '/conversations', { participantIds: [colleague.user.id], title: 'Desk sync' });
    const mine = (await post(me.token, `/conversations/${conversation.id}/messages`, { text: 'from the front office' })).message;
    const theirs = (await post(colleague.token, `/conversations/${conversation.id}/messages`, { text: 'thanks' })).message;
    await waitUntil(() => desk.session.unreadCount === 1, "the colleague's message counts");
    await post(me.token, `/conversations/${conversation.id}/read`, { lastMessageId: theirs.id });
    const ofType = (type: string) => desk.events.flatMap((event) => ('id' in event && event.type === type ? [event] : []));
    await waitUntil(() => ofType('conversation_read').length === 1, 'the read reaches the desk');

    expect(ofType('message_sent').map((event) => event.type === 'message_sent' && event.message_id)).toEqual([String(mine.id)]);
    expect(ofType('conversation_read').map((event) => event.type === 'conversation_read' && event.message_id)).toEqual([String(theirs.id)]);
    // The colleague's pop-up leaves the burst window on its own time, maybe after the read came.
    await waitUntil(() => desk.sink.eventIds().length > 0, "the colleague's message pops up");
    expect(desk.sink.eventIds()).toEqual(ofType('new_message').map((event) => event.id));
    expect(desk.session.unreadCount).toBe(0);
    expect(desk.unreadCounts.slice(-2)).toEqual([1, 0]);
  });

  it('stops on 401 and reports signed_out, without retrying', async () => {
    const { server } = shared;
    const streamRequests: string[] = [];
    const desk = await openDesk({
      serverUrl: server.url,
      token: 'not-a-valid-token',
      userId: 1,
      dataDirectory: temporaryDirectory('clinicpulse-desk-'),
      fetch: (url, init) => {
        if (url.includes('/api/events/stream')) streamRequests.push(url);
        return fetch(url, init);
      },
    });
    cleanups.push(() => desk.session.stop());
    await waitUntil(() => desk.states.some((state) => state.status === 'signed_out'), 'signed out');
    expect(desk.session.connection).toMatchObject({ status: 'signed_out', nextRetryAt: null });
    // Backoff starts at 50 ms here; several retries would have happened by now.
    await new Promise((resolve) => setTimeout(resolve, 600));
    expect(streamRequests).toHaveLength(1);
  });

  it('passes resync to the renderer side and continues from the server position', async () => {
    const { server, publisher } = shared;
    const { token, user } = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const held = await publisher.publish(user.id, chat(1));
    const dataDirectory = temporaryDirectory('clinicpulse-desk-');
    // A desk that was last connected long ago: its id is older than anything still held.
    const stale = await CursorStore.open(cursorPath(dataDirectory, server.url, user.id));
    stale.advance(1);
    await stale.markCaughtUp();

    const desk = await readyDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    const controls = desk.events.filter((event) => !('id' in event)).map((event) => event.type);
    expect(controls).toEqual(['resync', 'ready']);
    expect(desk.events[0]).toMatchObject({ type: 'resync', reason: 'history_expired' });
    expect(desk.eventIds()).toEqual([held]);

    // An id above anything handed out (another server's, say): resync moves the cursor down to the server's.
    await desk.session.stop();
    const ahead = await CursorStore.open(cursorPath(dataDirectory, server.url, user.id));
    ahead.resetTo(held + 1_000);
    await ahead.persist();
    const again = await readyDesk({ serverUrl: server.url, token, userId: user.id, dataDirectory });
    expect(again.events[0]).toMatchObject({
      type: 'resync',
      reason: 'unknown_id',
      lastEventId: held,
    });
    const next = await publisher.publish(user.id, chat(2));
    await waitUntil(() => again.eventIds().includes(next), 'the next event arrives');
    expect(again.session.lastEventId).toBe(next);
  });
});
