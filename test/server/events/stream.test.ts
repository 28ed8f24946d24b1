import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload, StreamEvent } from '../../../common/events.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { frameType, openRawStream, type RawStream } from '../../support/sse-client.js';
import { api, login, startTestServer, type TestServer } from '../../support/test-server.js';

/** High enough that streams a test has closed but the server has not yet seen close never count. */
const STREAM_LIMIT = 16;

const notice = (content: string): EventPayload => ({ type: 'system_notification', content, timestamp: new Date().toISOString() });

/** The ids a stream resuming after `since` must receive, given every id published (sorted). */
const publishedAfter = (published: number[], since: number) => published.filter((id) => id > since);

describe('the event stream', () => {
  let redis: TestRedis;
  let server: TestServer;
  let publisherConnection: Redis;
  let publisher: EventPublisher;
  let smith: { token: string; cookie: string; user: { id: number } };
  let jones: { token: string; cookie: string; user: { id: number } };
  const open: RawStream[] = [];

  const stream = async (token: string, headers: Record<string, string> = {}, query = '') => {
    const s = await openRawStream(`${server.url}/api/events/stream${query}`, { authorization: `Bearer ${token}`, ...headers });
    open.push(s);
    return s;
  };

  beforeAll(async () => {
    redis = await startTestRedis();
    server = await startTestServer({ redisUrl: redis.url, env: { HEARTBEAT_SECONDS: '0.2', MAX_STREAMS_PER_USER: String(STREAM_LIMIT) } });
    // A second process's publisher, as a colleague's server would publish.
    publisherConnection = new Redis(redis.url);
    publisher = new EventPublisher(publisherConnection, { historyTtlSeconds: 3600, historyLength: 1000 });
    smith = await login(server.url, 'dr.smith', 'clinicpulse');
    jones = await login(server.url, 'nurse.jones', 'clinicpulse');
  });
  afterEach(() => {
    for (const s of open.splice(0)) s.close();
  });
  afterAll(async () => {
    publisherConnection.disconnect();
    await server.close();
    await redis.stop();
  });

  it('opens with retry, sends SSE headers, then ready, then live events in id order', async () => {
    const s = await stream(smith.token);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    expect(s.headers['cache-control']).toBe('no-store, no-transform');
    expect(s.headers['x-accel-buffering']).toBe('no');
    expect(s.headers['content-encoding']).toBeUndefined();
    await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    expect(s.retries).toEqual([3000]);
    const ids = [];
    for (let i = 0; i < 20; i++) ids.push(await publisher.publish(smith.user.id, notice(`n${i}`)));
    await s.waitFor((x) => x.eventIds().length === 20);
    expect(s.eventIds()).toEqual(ids);
    const last = s.messages.at(-1)!;
    expect(frameType(last)).toBe('system_notification');
    expect(last.event).toBe('message');
    expect(JSON.parse(last.data)).toEqual({ id: ids[19], type: 'system_notification', content: 'n19', timestamp: expect.any(String) });
  });

  it('delivers through the browser-standard EventSource with a cookie, and the /api/sse alias', async () => {
    const received: StreamEvent[] = [];
    const source = new EventSource(`${server.url}/api/sse`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, cookie: smith.cookie } }),
    });
    const ready = new Promise((resolve) => source.addEventListener('ready', resolve));
    // Events come unnamed, as in the original system: `onmessage` gets them all (the hour's
    // history of earlier tests included), and the type is in the data.
    source.onmessage = (e) => {
      const event = JSON.parse(e.data) as StreamEvent;
      if (event.type === 'new_message') received.push(event);
    };
    await ready;
    const payload: EventPayload = { type: 'new_message', conversation_id: '123', sender: 'Dr. Smith', text: 'Hello', timestamp: '2025-01-20T10:30:00Z' };
    const id = await publisher.publish(smith.user.id, payload);
    await expect.poll(() => received.length).toBe(1);
    expect(received[0]).toEqual({ id, ...payload });
    source.close();
  });

  it('sends a heartbeat comment while idle, and none to a stream that is busy anyway', async () => {
    const idle = await stream(jones.token);
    const busy = await stream(smith.token);
    // Heartbeats every 200 ms here; the busy stream gets an event every 50 ms for 1.2 s.
    for (let i = 0; i < 24; i++) {
      await publisher.publish(smith.user.id, notice(`busy ${i}`));
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    await busy.waitFor((x) => x.messages.some((m) => m.data.includes(`"busy 23"`)));
    const pings = (s: RawStream) => s.comments.filter((comment) => comment === 'ping').length;
    expect(pings(idle)).toBeGreaterThanOrEqual(3);
    // None, or one should the machine stall for a whole interval between two events.
    expect(pings(busy)).toBeLessThanOrEqual(1);
    await busy.waitFor((x) => x.comments.includes('ping'));
  });

  it('replays exactly the events missed after Last-Event-ID, from the header or the query', async () => {
    const ids = [];
    for (let i = 0; i < 10; i++) ids.push(await publisher.publish(smith.user.id, notice(`m${i}`)));
    const viaHeader = await stream(smith.token, { 'last-event-id': String(ids[3]) });
    const viaQuery = await stream(smith.token, {}, `?lastEventId=${ids[6]}`);
    for (const s of [viaHeader, viaQuery]) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    expect(viaHeader.eventIds()).toEqual(ids.slice(4));
    expect(viaQuery.eventIds()).toEqual(ids.slice(7));
    const ready = JSON.parse(viaHeader.messages.at(-1)!.data);
    expect(ready).toEqual({ type: 'ready', lastEventId: ids[9] });
  });

  it('loses and repeats nothing when events are published while streams connect and replay', async () => {
    const userId = jones.user.id;
    const start = await publisher.publish(userId, notice('start'));
    let publishing = true;
    let last = start;
    const published = [start];
    const publishing$ = (async () => {
      while (publishing) {
        const ids = await Promise.all(Array.from({ length: 5 }, (_, i) => publisher.publish(userId, notice(`race ${i}`))));
        published.push(...ids);
        last = Math.max(last, ...ids);
      }
    })();
    const streams: { since: number; s: RawStream }[] = [];
    for (let i = 0; i < 12; i++) {
      const since = last;
      const s = await stream(jones.token, { 'last-event-id': String(since) });
      expect(s.status).toBe(200);
      streams.push({ since, s });
      await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
      s.close();
    }
    publishing = false;
    await publishing$;
    // Each stream saw exactly the ids published after its Last-Event-ID, in order, up to where it stopped.
    const inOrder = published.toSorted((a, b) => a - b);
    for (const { since, s } of streams) {
      const ids = s.eventIds();
      expect(ids.length).toBeGreaterThan(0);
      expect(ids).toEqual(publishedAfter(inOrder, since).slice(0, ids.length));
    }
  });

  it('delivers fan-outs to every open stream of every user once, in each user’s id order, and replays them byte for byte', async () => {
    const patel = await login(server.url, 'dr.patel', 'clinicpulse');
    const users = [smith.user.id, jones.user.id];
    const starts = await Promise.all(users.map((userId) => publisher.publish(userId, notice('start'))));
    const expected = new Map(users.map((userId) => [userId, [] as number[]]));
    const streams = new Map<number, RawStream[]>();
    for (const [i, user] of [smith, jones].entries()) {
      const desks = await Promise.all([1, 2].map(() => stream(user.token, { 'last-event-id': String(starts[i]) })));
      for (const s of desks) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
      streams.set(user.user.id, desks);
    }
    for (let round = 0; round < 5; round++) {
      expected.get(smith.user.id)!.push(await publisher.publish(smith.user.id, notice(`single ${round}`)));
      // Patel has no stream here, and Smith is listed twice: two events for him, in this order.
      const recipients = [smith.user.id, patel.user.id, jones.user.id, smith.user.id];
      const ids = await publisher.publishToMany(recipients, notice(`fan-out ${round}`));
      recipients.forEach((userId, k) => expected.get(userId)?.push(ids[k]!));
    }
    for (const userId of users) {
      for (const s of streams.get(userId)!) {
        await s.waitFor((x) => x.eventIds().length >= expected.get(userId)!.length);
        expect(s.eventIds()).toEqual(expected.get(userId));
      }
    }
    const numbered = (s: RawStream) => s.messages.filter((m) => m.id !== undefined);
    const replayed = await stream(smith.token, { 'last-event-id': String(starts[0]) });
    await replayed.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    expect(numbered(replayed)).toEqual(numbered(streams.get(smith.user.id)![0]!));
  });

  it('loses and repeats nothing when fan-outs are published while streams connect and replay', async () => {
    const userId = jones.user.id;
    let last = await publisher.publish(userId, notice('start'));
    const published = [last];
    let publishing = true;
    // Fan-outs and single events interleave: a user's ids reach the server on two channels.
    const publishing$ = (async () => {
      while (publishing) {
        const batches = await Promise.all([
          ...Array.from({ length: 3 }, (_, i) => publisher.publishToMany([smith.user.id, userId], notice(`race fan-out ${i}`))),
          publisher.publish(userId, notice('race single')).then((id) => [0, id]),
        ]);
        published.push(...batches.map((ids) => ids[1]!));
        last = Math.max(last, ...batches.map((ids) => ids[1]!));
      }
    })();
    const streams: { since: number; s: RawStream }[] = [];
    for (let i = 0; i < 10; i++) {
      const since = last;
      const desks = await Promise.all([1, 2].map(() => stream(jones.token, { 'last-event-id': String(since) })));
      for (const s of desks) {
        expect(s.status).toBe(200);
        streams.push({ since, s });
      }
      for (const s of desks) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
      // Each desk takes live events too before it closes.
      const publishedBeforeReady = last;
      for (const s of desks) await s.waitFor((x) => (x.eventIds().at(-1) ?? 0) > publishedBeforeReady);
      for (const s of desks) s.close();
    }
    publishing = false;
    await publishing$;
    const inOrder = published.toSorted((a, b) => a - b);
    for (const { since, s } of streams) {
      const ids = s.eventIds();
      expect(ids).toEqual(publishedAfter(inOrder, since).slice(0, ids.length));
    }
  });

  it('keeps one user out of another user’s events', async () => {
    const theirs = await stream(jones.token);
    const mine = await stream(smith.token);
    for (const s of [theirs, mine]) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    const before = mine.eventIds().length;
    const id = await publisher.publish(jones.user.id, notice('only for Ben'));
    await theirs.waitFor((x) => x.eventIds().includes(id));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(mine.eventIds().length).toBe(before);
  });

  it('answers 401 JSON without a valid session, and 400 JSON for a malformed Last-Event-ID', async () => {
    const anonymous = await openRawStream(`${server.url}/api/events/stream`, {});
    expect(anonymous.status).toBe(401);
    expect(JSON.parse(anonymous.errorBody).error.code).toBe('unauthorized');
    const forged = await openRawStream(`${server.url}/api/events/stream`, { authorization: 'Bearer not-a-token' });
    expect(forged.status).toBe(401);
    for (const bad of ['abc', '-1', '1.5', '99999999999999999999']) {
      const s = await stream(smith.token, { 'last-event-id': bad });
      expect(s.status).toBe(400);
      expect(JSON.parse(s.errorBody)).toEqual({ error: { code: 'bad_request', message: expect.stringContaining('Last-Event-ID') } });
    }
  });

  it('refuses streams beyond the per-user limit with 429', async () => {
    // A user no other test streams as, so only this test's streams count.
    const patel = await login(server.url, 'dr.patel', 'clinicpulse');
    const streams = [];
    for (let i = 0; i < STREAM_LIMIT; i++) streams.push(await stream(patel.token));
    for (const s of streams) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    const extra = await stream(patel.token);
    expect(extra.status).toBe(429);
    expect(JSON.parse(extra.errorBody).error.code).toBe('too_many_streams');
    expect(extra.headers['retry-after']).toBeDefined();
    streams[0]!.close();
    await expect.poll(async () => (await stream(patel.token)).status).toBe(200);
  });

  it('tells a client whose id is unknown to resync and moves it to the newest id', async () => {
    const newest = await publisher.publish(smith.user.id, notice('x'));
    const s = await stream(smith.token, { 'last-event-id': String(newest + 1000) });
    await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    const resync = s.messages.find((m) => m.event === 'resync')!;
    expect(JSON.parse(resync.data)).toEqual({ type: 'resync', reason: 'unknown_id', lastEventId: newest });
    expect(resync.id).toBe(String(newest));
    const next = await publisher.publish(smith.user.id, notice('after resync'));
    await s.waitFor((x) => x.eventIds().includes(next));
  });

  it('acknowledging moves the shared read marker and tells the user’s other streams', async () => {
    const id = await publisher.publish(smith.user.id, notice('read me'));
    const desk1 = await stream(smith.token);
    const desk2 = await stream(smith.token);
    for (const s of [desk1, desk2]) await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    const client = api(server.url, smith.token);
    const ack = await client.post('/api/events/ack', { lastEventId: id });
    expect(ack.status).toBe(200);
    expect(ack.body).toEqual({ lastReadEventId: id });
    for (const s of [desk1, desk2]) {
      await s.waitFor((x) => x.messages.some((m) => frameType(m) === 'notifications_read'));
      expect(JSON.parse(s.messages.find((m) => frameType(m) === 'notifications_read')!.data)).toMatchObject({ lastEventId: id });
    }
    const state = await client.get('/api/events/state');
    const readEvent = JSON.parse(desk1.messages.find((m) => frameType(m) === 'notifications_read')!.data);
    expect(state.body).toEqual({ lastEventId: readEvent.id, lastReadEventId: id });
    // An older ack from a slower desk does not move the marker back.
    expect((await client.post('/api/events/ack', { lastEventId: id - 1 })).body).toEqual({ lastReadEventId: id });
    expect((await client.post('/api/events/ack', { lastEventId: readEvent.id + 1 })).status).toBe(400);
    expect((await client.post('/api/events/ack', { lastEventId: 'x' })).status).toBe(400);
  });

  it('ends a user’s open streams at once when an admin disables the account', async () => {
    const admin = api(server.url, (await login(server.url, 'admin', 'clinicpulse')).token);
    const created = await admin.post('/api/admin/users', { username: 'locum.kay', displayName: 'Locum Kay', role: 'clinician', password: 'temporary-pass' });
    expect(created.status).toBe(201);
    const kay = await login(server.url, 'locum.kay', 'temporary-pass');
    const s = await stream(kay.token);
    await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
    expect((await admin.patch(`/api/admin/users/${kay.user.id}`, { disabled: true })).status).toBe(200);
    await s.ended;
    expect((await stream(kay.token)).status).toBe(401);
  });

  it('counts streams, deliveries and replays in /metrics', async () => {
    const text = await (await fetch(`${server.url}/metrics`)).text();
    expect(text).toMatch(/clinicpulse_events_delivered_total \d+/);
    expect(text).toMatch(/clinicpulse_events_replayed_total [1-9]/);
    expect(text).toMatch(/clinicpulse_resyncs_total [1-9]/);
    expect(text).toMatch(/clinicpulse_open_streams \d+/);
  });
});
