import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SseParser } from '../../../common/sse.js';
import { BareEventAdoption } from '../../../server/events/bare-event-adoption.js';
import { EventHistory, type HistorySnapshot } from '../../../server/events/event-history.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { HISTORY_BASE_PREFIX, userEventsKey } from '../../../server/events/keys.js';
import { frameStoredEvent } from '../../../server/events/stored-event.js';
import { OriginalPublisher, pythonJsonDumps } from '../../support/original-publisher.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';

const SETTINGS = { historyTtlSeconds: 3600, historyLength: 100 };
const USER = 7;

const originalNotice = (content: string) => ({ type: 'system_notification', content, timestamp: '1737369000.5' });

/** The events of a replay, parsed, in order. */
function replayed(snapshot: HistorySnapshot): { id: number; type: string; content?: string }[] {
  const events: { id: number; type: string; content?: string }[] = [];
  new SseParser({
    onMessage: (m) => {
      const event = JSON.parse(m.data) as { id: number; type: string };
      expect(m.event).toBe('message');
      expect(Number(m.id)).toBe(event.id);
      events.push(event);
    },
  }).push(snapshot.replay.frames);
  return events;
}

/**
 * Events the original system's backend publishes (bare JSON, no id), adopted by ClinicPulse's
 * scripts against a real Redis. The servers' side of it is in original-system.test.ts.
 */
describe('adopting events published the original way', () => {
  let server: TestRedis;
  let redis: Redis;
  let original: OriginalPublisher;
  let publisher: EventPublisher;
  /** Two servers' views, each on its own connection. */
  let histories: EventHistory[];
  let adoptions: BareEventAdoption[];
  const connections: Redis[] = [];

  const list = () => redis.lrange(userEventsKey(USER), 0, -1);
  const bareEntries = async () => (await list()).filter((entry) => !entry.startsWith('{"id":') && !entry.startsWith(HISTORY_BASE_PREFIX));

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    original = new OriginalPublisher(server.url);
    publisher = new EventPublisher(redis, SETTINGS);
    for (let i = 0; i < 2; i++) connections.push(new Redis(server.url));
    histories = connections.map((connection) => new EventHistory(connection, SETTINGS));
    adoptions = connections.map((connection) => new BareEventAdoption(connection, SETTINGS));
  });
  afterAll(async () => {
    for (const connection of connections) connection.disconnect();
    original.close();
    redis.disconnect();
    await server.stop();
  });
  beforeEach(() => server.flushAll());

  it('adopts a bare entry when a stream connects: an id, the payload as ClinicPulse writes it, once, whichever server reads first', async () => {
    const payload = { type: 'new_message', conversation_id: 'c-9', sender: 'Dr. Lé', text: 'Hello, "you"', timestamp: '2025-01-20 10:30:00.123456' };
    await original.storeEvent(USER, payload);
    expect(await list()).toEqual([pythonJsonDumps(payload)]);

    const first = await histories[0]!.snapshot(USER, null);
    const [event] = replayed(first);
    expect(replayed(first)).toHaveLength(1);
    expect(event).toEqual({ id: expect.any(Number), ...payload });
    // Stored like every other event: id first, no whitespace between tokens (the strings as the
    // original wrote them), so it is framed without parsing.
    const stored = (await list()).find((entry) => entry.startsWith('{"id":'))!;
    expect(stored).toBe(
      `{"id":${event!.id},"type":"new_message","conversation_id":"c-9","sender":"Dr. L\\u00e9","text":"Hello, \\"you\\"","timestamp":"2025-01-20 10:30:00.123456"}`,
    );
    expect(frameStoredEvent(stored)?.id).toBe(event!.id);
    expect(await bareEntries()).toEqual([]);

    // Another server, and the same one again: the same event under the same id, nothing new.
    for (const history of [histories[1]!, histories[0]!]) expect(replayed(await history.snapshot(USER, null))).toEqual([event]);
    expect((await histories[1]!.snapshot(USER, event!.id)).replay.count).toBe(0);
  });

  it('adopts bare entries before the next event ClinicPulse stores, keeping ids increasing along the list', async () => {
    const before = await publisher.publish(USER, { type: 'system_notification', content: 'ours 1', timestamp: new Date().toISOString() });
    await original.storeEvent(USER, originalNotice('theirs 1'));
    await original.storeEvent(USER, originalNotice('theirs 2'));
    const after = await publisher.publish(USER, { type: 'system_notification', content: 'ours 2', timestamp: new Date().toISOString() });

    const events = replayed(await histories[0]!.snapshot(USER, null));
    expect(events.map((event) => event.content)).toEqual(['ours 1', 'theirs 1', 'theirs 2', 'ours 2']);
    const ids = events.map((event) => event.id);
    expect(ids).toEqual(ids.toSorted((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    expect([ids[0], ids[3]]).toEqual([before, after]);
    // Resuming from any of them gives exactly what follows.
    for (let k = 0; k < ids.length; k++) {
      const snapshot = await histories[1]!.snapshot(USER, ids[k]!);
      expect(snapshot.status).toBe('complete');
      expect(replayed(snapshot).map((event) => event.id)).toEqual(ids.slice(k + 1));
    }
  });

  it('publishes each adopted event once on the user channel, with its id, when PUBLISH and RPUSH arrive in either order', async () => {
    const subscriber = new Redis(server.url);
    const received: string[] = [];
    subscriber.on('message', (_channel, message) => received.push(message));
    await subscriber.subscribe(`user:${USER}`);
    try {
      // PUBLISH seen by two servers, then the RPUSH: one adoption, the list entry dropped later.
      const published = originalNotice('publish first');
      await original.publishEvent(USER, published);
      const [a, b] = await Promise.all(adoptions.map((adoption) => adoption.adopt(USER, pythonJsonDumps(published))));
      expect([a, b].filter((id) => id !== null)).toHaveLength(1);
      await original.storeEvent(USER, published);
      // RPUSH first, the PUBLISH reaching the servers after: adopted from the list, then nothing.
      const pushed = originalNotice('push first');
      await original.storeEvent(USER, pushed);
      const adoptedFromList = await adoptions[1]!.adopt(USER, pythonJsonDumps(originalNotice('unrelated')));
      expect(adoptedFromList).not.toBeNull();
      expect(await adoptions[0]!.adopt(USER, pythonJsonDumps(pushed))).toBeNull();

      const events = replayed(await histories[0]!.snapshot(USER, null));
      expect(events.map((event) => event.content)).toEqual(['publish first', 'push first', 'unrelated']);
      expect(await bareEntries()).toEqual([]);
      await expect.poll(() => received.length).toBe(4);
      // The original's own PUBLISH, then each adopted event once, exactly as stored.
      expect(received[0]).toBe(pythonJsonDumps(published));
      expect(received.slice(1).map((message) => JSON.parse(message))).toEqual(events);
    } finally {
      subscriber.disconnect();
    }
  });

  it('leaves what is no event where it is, and adopts nothing twice after the list was read', async () => {
    await original.storeEvent(USER, originalNotice('kept'));
    await redis.rpush(userEventsKey(USER), 'not even JSON', '{"no":"type"}');
    await original.storeEvent(USER, { type: 'system_notification', content: 'own id dropped', timestamp: 'x', id: 'abc' });
    const events = replayed(await histories[0]!.snapshot(USER, null));
    expect(events.map((event) => [event.content, typeof event.id])).toEqual([
      ['kept', 'number'],
      ['own id dropped', 'number'],
    ]);
    expect(await bareEntries()).toEqual(['not even JSON', '{"no":"type"}']);
    expect(await redis.ttl(userEventsKey(USER))).toBeGreaterThan(3500);
    expect(replayed(await histories[1]!.snapshot(USER, null))).toEqual(events);
  });

  it('keeps the TTL the original publisher set when every entry was bare', async () => {
    await original.storeEvent(USER, originalNotice('alone'));
    await redis.expire(userEventsKey(USER), 120);
    const short = new EventHistory(connections[0]!, { historyTtlSeconds: 60, historyLength: 100 });
    expect(replayed(await short.snapshot(USER, null))).toHaveLength(1);
    const ttl = await redis.ttl(userEventsKey(USER));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120);
  });
});
