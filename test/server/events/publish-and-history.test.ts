import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../common/events.js';
import { SseParser } from '../../../common/sse.js';
import { EventHistory, type HistorySnapshot } from '../../../server/events/event-history.js';
import { frameStoredEvent } from '../../../server/events/stored-event.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { readFanOutMessage } from '../../../server/events/fan-out-message.js';
import { FAN_OUT_CHANNEL, HISTORY_BASE_PREFIX, userEventsKey, userSequenceKey } from '../../../server/events/keys.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';

const notice = (content: string): EventPayload => ({
  type: 'system_notification',
  content,
  timestamp: '2025-01-20T10:30:00Z',
});

/** The ids of the replay's frames, read back with the protocol's own parser. */
/**
 * Redis losing its last writes for real (a kill before fsync, a restart from an older backup, a
 * promoted replica) takes longer than a millisecond, and the ids' clock floor (server/events/
 * lua.ts) counts on it: ids taken after the loss are past the millisecond of every lost one. A
 * test that rolls Redis back within that millisecond waits it out.
 */
const aMillisecondLater = () => new Promise((resolve) => setTimeout(resolve, 2));

function replayedIds(snapshot: HistorySnapshot): number[] {
  const ids: number[] = [];
  new SseParser({ onMessage: (m) => ids.push(Number(m.id)) }).push(snapshot.replay.frames);
  expect(snapshot.replay.count).toBe(ids.length);
  expect(snapshot.replay.lastId).toBe(ids.at(-1) ?? null);
  return ids;
}

describe('publishing into a user history', () => {
  let server: TestRedis;
  let redis: Redis;
  let publisher: EventPublisher;
  let history: EventHistory;

  /** A user's stored events, oldest first, without the list's base marker. */
  const storedEvents = async (userId: number) =>
    (await redis.lrange(userEventsKey(userId), 0, -1)).filter((entry) => !entry.startsWith(HISTORY_BASE_PREFIX));

  beforeAll(async () => {
    server = await startTestRedis();
    redis = new Redis(server.url);
    publisher = new EventPublisher(redis, { historyTtlSeconds: 3600, historyLength: 5 });
    history = new EventHistory(redis, { historyTtlSeconds: 3600, historyLength: 5 });
  });
  afterAll(async () => {
    redis.disconnect();
    await server.stop();
  });
  beforeEach(() => server.flushAll());

  it('gives strictly increasing ids, each at least the Redis clock in ms × 1000', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) {
      const before = Date.now();
      const id = await publisher.publish(7, notice(`n${i}`));
      expect(Math.floor(id / 1000)).toBeGreaterThanOrEqual(before);
      ids.push(id);
      await expect.poll(() => Date.now()).toBeGreaterThan(Math.floor(id / 1000));
    }
    expect(ids).toEqual(ids.toSorted((a, b) => a - b));
    expect(new Set(ids).size).toBe(4);
    expect(Number.isSafeInteger(ids[3])).toBe(true);
  });

  it('stores the original payload with the id first, trims to the configured length and sets the TTL', async () => {
    const ids = [];
    // History length 5 is trimmed in chunks: at 8 entries, back to 5 events after a marker naming the id before them.
    for (let i = 0; i < 8; i++) ids.push(await publisher.publish(7, notice(`n${i}`)));
    const list = await redis.lrange(userEventsKey(7), 0, -1);
    expect(JSON.parse(list[0]!)).toEqual({ history_after: ids[2] });
    const stored = list.slice(1);
    expect(stored).toHaveLength(5);
    expect(JSON.parse(stored[0]!)).toEqual({ id: ids[3], type: 'system_notification', content: 'n3', timestamp: '2025-01-20T10:30:00Z' });
    expect(stored[4]!.startsWith(`{"id":${ids[7]},"type":"system_notification"`)).toBe(true);
    const ttl = await redis.ttl(userEventsKey(7));
    expect(ttl).toBeGreaterThan(3500);
    expect(await redis.ttl(userSequenceKey(7))).toBe(-1);
  });

  it('publishes on the user channel exactly what it stores', async () => {
    const subscriber = new Redis(server.url);
    const received: string[] = [];
    subscriber.on('message', (_channel, message) => received.push(message));
    await subscriber.subscribe('user:9');
    const id = await publisher.publish(9, notice('hello'));
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toBe((await storedEvents(9))[0]);
    expect(JSON.parse(received[0]!).id).toBe(id);
    subscriber.disconnect();
  });

  it('publishes a repeated event with the same dedupe key only once', async () => {
    const first = await publisher.publish(7, notice('once'), { dedupeKey: 'msg:1:7' });
    const again = await publisher.publish(7, notice('once'), { dedupeKey: 'msg:1:7' });
    expect(again).toBe(first);
    expect(await storedEvents(7)).toHaveLength(1);
  });

  it('fans one event out to many users, each with their own id and history', async () => {
    const ids = await publisher.publishToMany([1, 2, 3], notice('all staff'));
    expect(ids).toHaveLength(3);
    for (const user of [1, 2, 3]) expect(await storedEvents(user)).toHaveLength(1);
  });

  it('fans out across several script batches, ids in the users’ order', async () => {
    const users = Array.from({ length: 1_234 }, (_, i) => 1_000 + i);
    const ids = await publisher.publishToMany(users, notice('everyone'));
    expect(ids).toHaveLength(users.length);
    for (const index of [0, 499, 500, 1_233]) {
      const [stored] = await storedEvents(users[index]!);
      expect(JSON.parse(stored!)).toMatchObject({ id: ids[index], content: 'everyone' });
    }
  });

  it('sends the first fan-out batch alone, then keeps two in flight, so Redis sends each batch out as soon as its script ends', async () => {
    const connection = new Redis(server.url);
    const watched = new EventPublisher(connection, { historyTtlSeconds: 3600, historyLength: 5 });
    const send = connection.clinicPulsePublishMany.bind(connection);
    let inFlight = 0;
    // How many batches were in flight as each one was sent.
    const inFlightAtSend: number[] = [];
    connection.clinicPulsePublishMany = (...args: Parameters<typeof send>) => {
      inFlight += 1;
      inFlightAtSend.push(inFlight);
      return send(...args).finally(() => (inFlight -= 1));
    };
    const users = Array.from({ length: 2_600 }, (_, i) => 1_000 + i);
    const ids = await watched.publishToMany(users, notice('everyone'));
    expect(inFlightAtSend).toHaveLength(6);
    expect(inFlightAtSend.slice(0, 3)).toEqual([1, 1, 2]);
    expect(Math.max(...inFlightAtSend)).toBe(2);
    expect(ids).toHaveLength(users.length);
    for (const index of [0, 499, 500, 1_000, 2_599]) {
      const [stored] = await storedEvents(users[index]!);
      expect(JSON.parse(stored!)).toMatchObject({ id: ids[index] });
    }
    connection.disconnect();
  });

  it('sends no further fan-out batch once one fails, and reports the failure', async () => {
    // Batches of 500 from user 1000; the ACL refuses the keys of users 2000–2499, the third batch.
    const users = Array.from({ length: 3_000 }, (_, i) => 1_000 + i);
    const admin = new Redis(server.url);
    await admin.acl('SETUSER', 'default', 'resetkeys', '~user:[13]*', '~user:2[5-9]*');
    try {
      await expect(publisher.publishToMany(users, notice('partly refused'))).rejects.toThrow(/can't access/);
    } finally {
      await admin.acl('SETUSER', 'default', 'allkeys');
      admin.disconnect();
    }
    const storedFor = (...someUsers: number[]) => Promise.all(someUsers.map(async (user) => (await storedEvents(user)).length));
    expect(await storedFor(1_000, 1_999, 2_000, 2_499)).toEqual([1, 1, 0, 0]);
    // The fourth batch may have been on its way when the third failed; the fifth and sixth never were.
    expect(await storedFor(3_000, 3_499, 3_500, 3_999)).toEqual([0, 0, 0, 0]);
  });

  it('publishes a fan-out once per batch on the shared channel: user:id pairs, a newline, the payload without id', async () => {
    const subscriber = new Redis(server.url);
    const fanOuts: string[] = [];
    const onUserChannels: string[] = [];
    subscriber.on('message', (_channel, message) => fanOuts.push(message));
    subscriber.on('pmessage', (_pattern, _channel, message) => onUserChannels.push(message));
    await subscriber.subscribe(FAN_OUT_CHANNEL);
    await subscriber.psubscribe('user:*');
    const users = Array.from({ length: 1_234 }, (_, i) => 1_000 + i);
    const payload = notice('everyone');
    const ids = await publisher.publishToMany(users, payload);
    // A later single event arrives after every fan-out message: what came on user channels by then is all there is.
    const single = await publisher.publish(7, notice('just one'));
    await expect.poll(() => onUserChannels.length).toBe(1);
    expect(JSON.parse(onUserChannels[0]!).id).toBe(single);
    expect(fanOuts).toHaveLength(3);
    const pairs = users.map((user, i) => `${user}:${ids[i]}`);
    expect(fanOuts[0]).toBe(`${pairs.slice(0, 500).join(',')}\n${JSON.stringify(payload)}`);
    expect(fanOuts.map((message) => message.split('\n')[0]).join(',')).toBe(pairs.join(','));
    subscriber.disconnect();
  });

  it('frames each recipient of a fan-out message byte for byte as its stored event and its replay', async () => {
    const subscriber = new Redis(server.url);
    const fanOuts: string[] = [];
    subscriber.on('message', (_channel, message) => fanOuts.push(message));
    await subscriber.subscribe(FAN_OUT_CHANNEL);
    const payload: EventPayload = { type: 'system_notification', content: 'a "quoted"\nline, ünïcode, 🙂', timestamp: 'now' };
    await publisher.publish(2, notice('before'));
    const ids = await publisher.publishToMany([1, 2, 3, 2], payload);
    await expect.poll(() => fanOuts.length).toBe(1);
    const message = readFanOutMessage(fanOuts[0]!)!;
    const recipients: [string, string][] = [];
    message.forEachRecipient((userId, eventId) => recipients.push([userId, eventId]));
    expect(recipients).toEqual([1, 2, 3, 2].map((user, i) => [String(user), String(ids[i])]));
    for (const user of [1, 2, 3]) {
      const stored = await storedEvents(user);
      const fannedOut = stored.filter((json) => JSON.parse(json).content === payload.content);
      const framed = fannedOut.map((json) => message.eventFor(String(JSON.parse(json).id)));
      expect(framed).toEqual(fannedOut.map((json) => frameStoredEvent(json)));
      expect((await history.snapshot(user, null)).replay.frames).toContain(framed.map((event) => event.frame).join(''));
    }
    subscriber.disconnect();
  });

  it('ignores a message on the shared channel that is not a fan-out', () => {
    for (const malformed of ['', '{"type":"x"}', '1:2', '1:2\nnot json', '1:2;3:4\n{"type":"x"}', '1:\n{"type":"x"}', '1:2\n{"id":3,"type":"x"}']) {
      expect(readFanOutMessage(malformed)).toBeNull();
    }
  });

  it('starts a missing counter from the Redis clock, for a single event and a fan-out alike, also after Redis lost its data', async () => {
    const clockBased = async (publishFirstEvent: () => Promise<number>) => {
      const before = Date.now();
      const id = await publishFirstEvent();
      expect(Math.floor(id / 1000)).toBeGreaterThanOrEqual(before);
      expect(Math.floor(id / 1000)).toBeLessThanOrEqual(Date.now());
      return id;
    };
    const single = await clockBased(() => publisher.publish(7, notice('first for 7')));
    const fannedOut = await clockBased(async () => (await publisher.publishToMany([8], notice('first for 8')))[0]!);
    expect(await publisher.publish(7, notice('second for 7'))).toBeGreaterThan(single);
    const more = await publisher.publishToMany([8, 7, 8], notice('more'));
    expect(more[0]).toBeGreaterThan(fannedOut);
    expect(more[2]).toBeGreaterThan(more[0]!);
    await expect.poll(() => Date.now()).toBeGreaterThan(Math.floor(more[2]! / 1000));
    await server.flushAll();
    const afterLoss = await clockBased(async () => (await publisher.publishToMany([8], notice('after the loss')))[0]!);
    expect(afterLoss).toBeGreaterThan(more[2]!);
  });

  it('trims a fan-out history to the configured length and refreshes its TTL', async () => {
    const ids = await publisher.publishToMany(Array(8).fill(9), notice('again'));
    const stored = await storedEvents(9);
    expect(stored.map((json) => JSON.parse(json).id)).toEqual(ids.slice(3));
    await redis.expire(userEventsKey(9), 10);
    await publisher.publishToMany([9], notice('once more'));
    expect(await redis.ttl(userEventsKey(9))).toBeGreaterThan(3500);
  });

  it('reports exactly the events after a given id', async () => {
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await publisher.publish(7, notice(`n${i}`)));
    const snapshot = await history.snapshot(7, ids[1]!);
    expect(snapshot.status).toBe('complete');
    expect(snapshot.newestId).toBe(ids[3]);
    expect(replayedIds(snapshot)).toEqual([ids[2], ids[3]]);
    expect(replayedIds(await history.snapshot(7, ids[3]!))).toEqual([]);
    expect(replayedIds(await history.snapshot(7, null))).toEqual(ids);
  });

  it('replays byte for byte the frames a live stream gets', async () => {
    await publisher.publish(7, { type: 'new_message', conversation_id: '3', sender: 'Dr. Smith', text: 'a "quoted"\nline', timestamp: 'now' });
    await publisher.publish(7, notice('second'));
    const stored = await storedEvents(7);
    const snapshot = await history.snapshot(7, null);
    expect(snapshot.replay.frames).toBe(stored.map((json) => frameStoredEvent(json)!.frame).join(''));
  });

  it('reports a gap when events after the id were trimmed away', async () => {
    const ids = [];
    for (let i = 0; i < 8; i++) ids.push(await publisher.publish(7, notice(`n${i}`)));
    const snapshot = await history.snapshot(7, ids[0]!);
    expect(snapshot.status).toBe('gap');
    expect(replayedIds(snapshot)).toEqual(ids.slice(3));
    // The marker names the last trimmed id: a client exactly there is missing nothing.
    const atTheEdge = await history.snapshot(7, ids[2]!);
    expect(atTheEdge.status).toBe('complete');
    expect(replayedIds(atTheEdge)).toEqual(ids.slice(3));
    expect((await history.snapshot(7, ids[3]!)).status).toBe('complete');
  });

  it('reports a gap when the history expired while the counter lives on', async () => {
    const id = await publisher.publish(7, notice('old'));
    await publisher.publish(7, notice('newer'));
    await redis.del(userEventsKey(7));
    const snapshot = await history.snapshot(7, id);
    expect(snapshot).toEqual({ newestId: Number(await redis.get(userSequenceKey(7))), status: 'gap', replay: { frames: '', count: 0, lastId: null }, continueFrom: id });
    expect(snapshot.newestId).toBeGreaterThan(id);
    // The next event starts a new history that knows what came before it.
    const next = await publisher.publish(7, notice('after the expiry'));
    const resumed = await history.snapshot(7, snapshot.newestId);
    expect(resumed.status).toBe('complete');
    expect(replayedIds(resumed)).toEqual([next]);
    expect((await history.snapshot(7, id)).status).toBe('gap');
  });

  it('never hands out an id again after Redis loses its data, and tells old clients to resync', async () => {
    const oldId = await publisher.publish(7, notice('before the loss'));
    await server.flushAll();
    // A real loss comes at least a millisecond after the ids it took (the clock floor's premise).
    await aMillisecondLater();
    const snapshotBeforeAnyPublish = await history.snapshot(7, oldId);
    expect(snapshotBeforeAnyPublish.status).toBe('gap');
    const newId = await publisher.publish(7, notice('after the loss'));
    expect(newId).toBeGreaterThan(oldId);
    const snapshot = await history.snapshot(7, oldId);
    expect(snapshot.status).toBe('gap');
    expect(replayedIds(snapshot)).toEqual([newId]);
  });

  it('flags an id that was never handed out, and continues from the newest', async () => {
    const id = await publisher.publish(7, notice('x'));
    expect(await history.snapshot(7, id + 10)).toMatchObject({ status: 'unknown_id', continueFrom: id, replay: { count: 0 } });
  });

  it('never hands out an id twice when Redis goes back in time, and tells a client that saw the lost ids where the history goes on', async () => {
    const kept = await publisher.publish(7, notice('kept'));
    // What Redis holds after losing its last writes (a kill before fsync, an older backup, a promoted replica).
    const counter = await redis.get(userSequenceKey(7));
    const list = await redis.lrange(userEventsKey(7), 0, -1);
    const lost = [await publisher.publish(7, notice('lost 1')), await publisher.publish(7, notice('lost 2'))];
    await redis.set(userSequenceKey(7), counter!);
    await redis.multi().del(userEventsKey(7)).rpush(userEventsKey(7), ...list).exec();
    await aMillisecondLater();

    const seenNothingNew = await history.snapshot(7, lost[1]!);
    expect(seenNothingNew).toMatchObject({ status: 'unknown_id', continueFrom: kept, replay: { count: 0 } });

    const after = [];
    for (let i = 0; i < 3; i++) after.push(await publisher.publish(7, notice(`after ${i}`)));
    expect(after[0]).toBeGreaterThan(lost[1]!);
    for (const since of lost) {
      const snapshot = await history.snapshot(7, since);
      expect(snapshot.status).toBe('unknown_id');
      expect(snapshot.continueFrom).toBe(kept);
      expect(replayedIds(snapshot)).toEqual(after);
    }
    const fromKept = await history.snapshot(7, kept);
    expect(fromKept.status).toBe('complete');
    expect(replayedIds(fromKept)).toEqual(after);
  });

  it('marks an event published again after Redis lost it as a copy, and leaves it out of the replay of a client that had it', async () => {
    const kept = await publisher.publish(7, notice('kept'));
    const counter = await redis.get(userSequenceKey(7));
    const list = await redis.lrange(userEventsKey(7), 0, -1);
    const outboxRow = { userId: 7, payload: notice('lost, then published again'), dedupeKey: 'outbox:1' };
    const [lost] = await publisher.publishBatch([outboxRow]);
    // Redis goes back to before it: the event, its dedupe key and the counter are gone.
    await redis.set(userSequenceKey(7), counter!);
    await redis.multi().del(userEventsKey(7)).rpush(userEventsKey(7), ...list).exec();
    for (const key of await redis.keys('*dedupe*')) await redis.del(key);
    await aMillisecondLater();

    const [copy] = await publisher.publishBatch([{ ...outboxRow, firstId: lost! }]);
    expect(copy).toBeGreaterThan(lost!);
    const stored = (await storedEvents(7)).at(-1)!;
    expect(frameStoredEvent(stored)).toMatchObject({ id: copy, replaces: lost });
    expect(JSON.parse(stored)).toEqual({ id: copy, ...outboxRow.payload, replaces: lost });
    // Published again while Redis still has it: a no-op, as for any dedupe key.
    expect(await publisher.publishBatch([{ ...outboxRow, firstId: lost! }])).toEqual([copy]);
    const after = await publisher.publish(7, notice('after'));

    const hadIt = await history.snapshot(7, lost!);
    expect(hadIt).toMatchObject({ status: 'unknown_id', continueFrom: kept });
    expect(replayedIds(hadIt)).toEqual([after]);
    expect(replayedIds(await history.snapshot(7, kept))).toEqual([copy, after]);
    expect(replayedIds(await history.snapshot(7, null)).slice(-3)).toEqual([kept, copy, after]);
  });

  it('skips entries it did not write, at the head of a history or in its middle, and resumes exactly around them', async () => {
    const foreign = JSON.stringify({ type: 'system_notification', content: 'published the original way', timestamp: 'now' });
    // Room for the foreign entries too: they count towards the history's length.
    const roomy = new EventPublisher(redis, { historyTtlSeconds: 3600, historyLength: 100 });
    const ids = [];
    for (let i = 0; i < 4; i++) ids.push(await roomy.publish(7, notice(`n${i}`)));
    await redis.lpush(userEventsKey(7), foreign);
    const second = (await storedEvents(7))[1]!;
    await redis.linsert(userEventsKey(7), 'AFTER', second, foreign);
    await redis.rpush(userEventsKey(7), 'not even JSON');
    ids.push(await roomy.publish(7, notice('n4')));

    expect(replayedIds(await history.snapshot(7, null))).toEqual(ids);
    for (let k = 0; k < ids.length; k++) {
      const snapshot = await history.snapshot(7, ids[k]!);
      expect(snapshot.status).toBe('complete');
      expect(replayedIds(snapshot)).toEqual(ids.slice(k + 1));
    }
  });
});
