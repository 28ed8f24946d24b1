import { connect } from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../server/config.js';
import { OriginalPublisher, pythonTimeNow } from '../../support/original-publisher.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { openRawStream, type RawStream } from '../../support/sse-client.js';
import { api, DEMO_PASSWORD, login, spawnServerProcess, startTestServer, type ServerProcess, type TestServer } from '../../support/test-server.js';

/**
 * The original system's frontend and backend against ClinicPulse, at the HTTP and Redis level:
 * its publisher's exact commands with two server processes, its `?since=` resume, its test
 * endpoint, its cross-origin development setup. The browser side is test/e2e/original-frontend.
 */
let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function streamOf(url: string, token: string, headers: Record<string, string> = {}, query = ''): Promise<RawStream> {
  const stream = await openRawStream(`${url}/api/events/stream${query}`, { authorization: `Bearer ${token}`, ...headers });
  cleanups.push(() => stream.close());
  await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
  return stream;
}

/** The events of a stream (not its control frames), parsed, in arrival order. */
function eventsOf(stream: RawStream): { id: number; type: string; content?: string; text?: string; timestamp: string }[] {
  return stream.messages.filter((m) => m.event === 'message').map((m) => {
    const event = JSON.parse(m.data) as { id: number; type: string; content?: string; text?: string; timestamp: string };
    expect(Number(m.id)).toBe(event.id);
    return event;
  });
}

const notice = (content: string) => ({ type: 'system_notification', content, timestamp: pythonTimeNow() });

describe('events published by the original backend, with two server processes', () => {
  let a: ServerProcess;
  let b: TestServer;
  let original: OriginalPublisher;

  beforeAll(async () => {
    await redis.flushAll();
    a = await spawnServerProcess({ redisUrl: redis.url });
    b = await startTestServer({ redisUrl: redis.url, dataDir: a.dataDir, demoData: false });
    original = new OriginalPublisher(redis.url);
  });
  afterAll(async () => {
    original?.close();
    await b?.close();
    await a?.stop();
  });

  it('reach every open stream live, once each, with a ClinicPulse id, and a reconnect repeats none', async () => {
    const smith = await login(a.url, 'dr.smith', DEMO_PASSWORD);
    const streams = [await streamOf(a.url, smith.token), await streamOf(b.url, smith.token), await streamOf(b.url, smith.token)];
    const sent = ['one', 'two', 'three', 'four', 'five'];
    for (const content of sent) await original.publishEventWithBuffer(smith.user.id, notice(content));
    // Live: before anything else touches the user's history.
    for (const stream of streams) await stream.waitFor((s) => eventsOf(s).length >= 5);
    // And ClinicPulse's own after them, as a migrating clinic has both.
    await api(a.url, smith.token).post('/api/test/system-notification', { content: 'ours' });
    for (const stream of streams) {
      await stream.waitFor((s) => eventsOf(s).length >= 6);
      const events = eventsOf(stream);
      expect(events.map((event) => event.content).toSorted()).toEqual([...sent, 'ours'].toSorted());
      expect(new Set(events.map((event) => event.id)).size).toBe(6);
      expect(events.map((event) => event.id)).toEqual(events.map((event) => event.id).toSorted((x, y) => x - y));
    }
    const ids = eventsOf(streams[0]!).map((event) => event.id);
    for (const stream of streams) expect(eventsOf(stream).map((event) => event.id)).toEqual(ids);

    // Resuming from any of them, on either process, gives exactly the ones after it.
    for (const [index, url] of [[0, a.url], [2, b.url], [5, a.url]] as const) {
      const resumed = await streamOf(url, smith.token, { 'last-event-id': String(ids[index]) });
      expect(eventsOf(resumed).map((event) => event.id)).toEqual(ids.slice(index + 1));
      expect(resumed.messages.some((m) => m.event === 'resync')).toBe(false);
    }
  });

  it('reach a user who had no stream open when they were published, once, on whichever process they connect to', async () => {
    const patel = await login(a.url, 'dr.patel', DEMO_PASSWORD);
    for (const content of ['while away 1', 'while away 2']) await original.publishEventWithBuffer(patel.user.id, notice(content));
    // Only the list kept them: nobody was subscribed to hear the PUBLISH.
    const [onA, onB] = await Promise.all([streamOf(a.url, patel.token), streamOf(b.url, patel.token)]);
    const events = eventsOf(onA);
    expect(events.map((event) => event.content)).toEqual(['while away 1', 'while away 2']);
    expect(eventsOf(onB)).toEqual(events);
    const again = await streamOf(b.url, patel.token, { 'last-event-id': String(events[1]!.id) });
    expect(eventsOf(again)).toEqual([]);
    // And once more from the start: the same two, under the same ids.
    expect(eventsOf(await streamOf(a.url, patel.token))).toEqual(events);
  });

  it('reach a live stream once also when the RPUSH reaches Redis before the PUBLISH', async () => {
    const jones = await login(a.url, 'nurse.jones', DEMO_PASSWORD);
    const streams = [await streamOf(a.url, jones.token), await streamOf(b.url, jones.token)];
    const event = notice('pushed first');
    await original.storeEvent(jones.user.id, event);
    await original.publishEvent(jones.user.id, event);
    const another = notice('published first');
    await original.publishEvent(jones.user.id, another);
    await original.storeEvent(jones.user.id, another);
    for (const stream of streams) await stream.waitFor((s) => eventsOf(s).length >= 2);
    // A moment for a duplicate to show, should there be one.
    await api(a.url, jones.token).post('/api/test/system-notification', { content: 'marker' });
    for (const stream of streams) {
      await stream.waitFor((s) => eventsOf(s).some((e) => e.content === 'marker'));
      expect(eventsOf(stream).map((e) => e.content)).toEqual(['pushed first', 'published first', 'marker']);
    }
  });
});

describe('resuming with ?since=<timestamp>, as the original frontend does', () => {
  let server: TestServer;
  beforeAll(async () => {
    await redis.flushAll();
    server = await startTestServer({ redisUrl: redis.url });
  });
  afterAll(() => server?.close());

  it('replays only what came after the event carrying that timestamp; an id, when sent too, wins', async () => {
    const { token, user } = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const client = api(server.url, token);
    for (let i = 0; i < 4; i++) expect((await client.post('/api/test/system-notification', { content: `n${i}` })).status).toBe(200);
    const everything = eventsOf(await streamOf(server.url, token, {}, '?since='));
    expect(everything.map((e) => e.content)).toEqual(['n0', 'n1', 'n2', 'n3']);

    const since = encodeURIComponent(everything[1]!.timestamp);
    expect(eventsOf(await streamOf(server.url, token, {}, `?since=${since}`)).map((e) => e.content)).toEqual(['n2', 'n3']);
    // The browser's own reconnect sends Last-Event-ID with the URL the page built earlier.
    const withId = await streamOf(server.url, token, { 'last-event-id': String(everything[2]!.id) }, `?since=${since}`);
    expect(eventsOf(withId).map((e) => e.content)).toEqual(['n3']);
    // Resumed at the newest event: nothing again, and live events still come.
    const upToDate = await streamOf(server.url, token, {}, `?since=${encodeURIComponent(everything[3]!.timestamp)}`);
    await server.context.publisher.publish(user.id, { type: 'system_notification', content: 'live', timestamp: new Date().toISOString() });
    await upToDate.waitFor((s) => eventsOf(s).length === 1);
    expect(eventsOf(upToDate).map((e) => e.content)).toEqual(['live']);
  });

  it('refuses a since that holds control characters, with a JSON 400', async () => {
    const { token } = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const response = await fetch(`${server.url}/api/events/stream?since=%0Aoops`, { headers: { authorization: `Bearer ${token}` } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('bad_request');
  });
});

describe('GET /api/sse, the original system’s test endpoint', () => {
  let server: TestServer;
  beforeAll(async () => {
    await redis.flushAll();
    server = await startTestServer({ redisUrl: redis.url });
  });
  afterAll(() => server?.close());

  it('publishes a test message and answers JSON when the request does not ask for an event stream', async () => {
    const { token, cookie } = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const stream = await streamOf(server.url, token);
    // As the original test panel's button asks: fetch with the session cookie, no Accept.
    const response = await fetch(`${server.url}/api/sse`, { headers: { cookie, 'sec-fetch-site': 'same-origin' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as { message: string; id: number };
    expect(body).toEqual({ message: 'Event published successfully', id: expect.any(Number) });
    await stream.waitFor((s) => eventsOf(s).length === 1);
    expect(eventsOf(stream)).toEqual([
      { id: body.id, type: 'new_message', conversation_id: 'test-123', sender: 'Test User', text: 'This is a test message', timestamp: expect.any(String) },
    ]);
  });

  it('stays the event stream for a request that asks for one', async () => {
    const { token } = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const stream = await openRawStream(`${server.url}/api/sse`, { authorization: `Bearer ${token}`, accept: 'text/html;q=0.9, text/event-stream' });
    cleanups.push(() => stream.close());
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
    const head = await fetch(`${server.url}/api/sse`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
    expect(head.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
  });

  it('refuses a cookie that rides in from another site (a link or a page elsewhere), publishing nothing', async () => {
    const { token, cookie, user } = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const before = await server.context.redis.get(`user:${user.id}:seq`);
    for (const headers of [{ 'sec-fetch-site': 'cross-site' }, { origin: 'http://evil.example' }] as Record<string, string>[]) {
      const response = await fetch(`${server.url}/api/sse`, { headers: { cookie, ...headers } });
      expect(response.status).toBe(403);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
    }
    expect(await server.context.redis.get(`user:${user.id}:seq`)).toBe(before);
    expect((await api(server.url, token).get('/api/sse', { origin: 'http://evil.example' })).status).toBe(200);
  });

  it('is not served when the test endpoints are off, while the stream still is', async () => {
    const off = await startTestServer({ redisUrl: redis.url, env: { TEST_ENDPOINTS: 'off' } });
    cleanups.push(() => off.close());
    const { token } = await login(off.url, 'dr.patel', DEMO_PASSWORD);
    expect((await api(off.url, token).get('/api/sse')).status).toBe(404);
    const stream = await openRawStream(`${off.url}/api/sse`, { authorization: `Bearer ${token}` });
    cleanups.push(() => stream.close());
    expect(stream.status).toBe(200);
  });
});

describe('a frontend on another origin (CORS)', () => {
  const ALLOWED = 'http://localhost:3000';

  async function preflight(url: string, origin: string) {
    return fetch(`${url}/api/events/stream`, {
      method: 'OPTIONS',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'cache-control' },
    });
  }

  it('gets no CORS header by default', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    cleanups.push(() => server.close());
    const { cookie, token } = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const me = await fetch(`${server.url}/api/me`, { headers: { cookie, origin: ALLOWED } });
    expect(me.headers.get('access-control-allow-origin')).toBeNull();
    expect((await preflight(server.url, ALLOWED)).headers.get('access-control-allow-origin')).toBeNull();
    const stream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}`, origin: ALLOWED });
    cleanups.push(() => stream.close());
    expect(stream.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('gets CORS with credentials only for an origin in CORS_ORIGINS: the API, the preflight, the stream and its errors', async () => {
    const server = await startTestServer({ redisUrl: redis.url, env: { CORS_ORIGINS: `${ALLOWED}, https://app.clinic.example` } });
    cleanups.push(() => server.close());
    const { cookie, token } = await login(server.url, 'dr.smith', DEMO_PASSWORD);

    const me = await fetch(`${server.url}/api/me`, { headers: { cookie, origin: ALLOWED } });
    expect(me.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(me.headers.get('access-control-allow-credentials')).toBe('true');
    const allowedPreflight = await preflight(server.url, ALLOWED);
    expect(allowedPreflight.status).toBe(204);
    expect(allowedPreflight.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(allowedPreflight.headers.get('access-control-allow-headers')).toBe('cache-control');
    const stream = await openRawStream(`${server.url}/api/events/stream`, { cookie, origin: ALLOWED });
    cleanups.push(() => stream.close());
    expect(stream.headers['access-control-allow-origin']).toBe(ALLOWED);
    expect(stream.headers['access-control-allow-credentials']).toBe('true');
    const unauthorized = await fetch(`${server.url}/api/events/stream`, { headers: { origin: ALLOWED } });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    // A state change with the cookie from the allowed origin passes the cross-site check.
    const post = await fetch(`${server.url}/api/test/system-notification`, {
      method: 'POST',
      headers: { cookie, origin: ALLOWED, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      body: '{}',
    });
    expect(post.status).toBe(200);

    for (const other of ['http://localhost:3001', 'http://evil.example']) {
      expect((await fetch(`${server.url}/api/me`, { headers: { cookie, origin: other } })).headers.get('access-control-allow-origin')).toBeNull();
      expect((await preflight(server.url, other)).headers.get('access-control-allow-origin')).toBeNull();
      const refused = await fetch(`${server.url}/api/test/system-notification`, {
        method: 'POST',
        headers: { cookie, origin: other, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
        body: '{}',
      });
      expect(refused.status).toBe(403);
      const otherStream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}`, origin: other });
      cleanups.push(() => otherStream.close());
      expect(otherStream.headers['access-control-allow-origin']).toBeUndefined();
    }
  });

  it('accepts only exact origins in CORS_ORIGINS', () => {
    expect(loadConfig({ CORS_ORIGINS: 'http://localhost:3000,https://app.clinic.example' }).corsOrigins).toEqual(
      new Set(['http://localhost:3000', 'https://app.clinic.example']),
    );
    for (const bad of ['http://localhost:3000/', 'https://app.clinic.example/path', '*', 'localhost:3000', 'ftp://x.example']) {
      expect(() => loadConfig({ CORS_ORIGINS: bad }), bad).toThrow(/CORS_ORIGINS/);
    }
  });
});

describe('a stream the server ends', () => {
  it('is sent to an HTTP/1.0 client (a proxy speaking 1.0 upstream) without chunked coding, which it could not read', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    cleanups.push(() => server.close());
    const { token } = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const socket = connect(Number(new URL(server.url).port), '127.0.0.1');
    cleanups.push(() => socket.destroy());
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    socket.write(`GET /api/events/stream HTTP/1.0\r\nAuthorization: Bearer ${token}\r\nAccept: text/event-stream\r\n\r\n`);
    await expect.poll(() => received).toContain('event: ready');
    const [head, body] = received.split('\r\n\r\n');
    expect(head).toMatch(/^HTTP\/1\.1 200 OK\r\n/);
    expect(head!.toLowerCase()).not.toContain('transfer-encoding');
    expect(head!.toLowerCase()).toContain('connection: close');
    expect(body).toMatch(/^retry: 3000\n\nevent: ready\ndata: \{"type":"ready"/);
  });

  it('ends as an error, not a complete body, when Redis drops the server’s subscription or the session is signed out', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    cleanups.push(() => server.close());
    const admin = new Redis(redis.url);
    cleanups.push(() => admin.disconnect());
    const { token } = await login(server.url, 'nurse.jones', DEMO_PASSWORD);

    /** Opens the stream and reads it until it ends, as the original fetch-based client reads it. */
    const openAndRead = async () => {
      const response = await fetch(`${server.url}/api/events/stream`, { headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' } });
      const reader = response.body!.getReader();
      let text = '';
      const ended = (async () => {
        for (;;) {
          try {
            const { done, value } = await reader.read();
            if (done) return 'done';
            text += new TextDecoder().decode(value);
          } catch {
            return 'error';
          }
        }
      })();
      await expect.poll(() => text).toContain('event: ready');
      return { ended };
    };

    const dropped = await openAndRead();
    await admin.client('KILL', 'TYPE', 'pubsub');
    expect(await dropped.ended).toBe('error');

    const signedOut = await openAndRead();
    expect((await api(server.url, token).post('/api/auth/logout')).status).toBe(204);
    expect(await signedOut.ended).toBe('error');
  });
});

describe('publishing through ClinicPulse (POST /api/internal/events), the cleaner path for a backend that can change', () => {
  const TOKEN = 'a-publish-token-of-at-least-32-characters';

  it('publishes a checked event to each user with their own id, once per dedupe key, with the publish token only', async () => {
    await redis.flushAll();
    const server = await startTestServer({ redisUrl: redis.url, env: { PUBLISH_TOKEN: TOKEN } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const patel = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const streams = [await streamOf(server.url, smith.token), await streamOf(server.url, patel.token)];
    const backend = api(server.url, TOKEN);
    const event = { type: 'new_message', conversation_id: '123', sender: 'Dr. Smith', text: 'Hello', timestamp: '2025-01-20T10:30:00Z' };

    const sent = await backend.post('/api/internal/events', { userIds: [smith.user.id, patel.user.id], event, dedupeKey: 'chat-message-77' });
    expect(sent.status).toBe(200);
    expect(sent.body).toEqual({ ids: [expect.any(Number), expect.any(Number)] });
    const retried = await backend.post('/api/internal/events', { userIds: [smith.user.id, patel.user.id], event, dedupeKey: 'chat-message-77' });
    expect(retried.body).toEqual(sent.body);
    const single = await backend.post('/api/internal/events', { userIds: [patel.user.id], event: { type: 'system_notification', content: 'Profile incomplete', timestamp: '2025-01-20T10:31:00Z' } });
    expect(single.status).toBe(200);

    await streams[1]!.waitFor((s) => eventsOf(s).length === 2);
    expect(eventsOf(streams[0]!)).toEqual([{ id: sent.body.ids[0], ...event }]);
    expect(eventsOf(streams[1]!).map((e) => e.id)).toEqual([sent.body.ids[1], single.body.ids[0]]);

    // Anything else is refused and publishes nothing.
    const refused = [
      await api(server.url).post('/api/internal/events', { userIds: [smith.user.id], event }),
      await api(server.url, smith.token).post('/api/internal/events', { userIds: [smith.user.id], event }),
      await api(server.url, `${TOKEN}x`).post('/api/internal/events', { userIds: [smith.user.id], event }),
      await backend.post('/api/internal/events', { userIds: [smith.user.id], event: { ...event, type: 'notifications_read' } }),
      await backend.post('/api/internal/events', { userIds: [smith.user.id], event: { ...event, text: 42 } }),
      await backend.post('/api/internal/events', { userIds: [999_999], event }),
    ];
    expect(refused.map((response) => response.status)).toEqual([401, 401, 401, 400, 400, 400]);
    expect(refused[5]!.body.error.message).toMatch(/999999/);
    await api(server.url, smith.token).post('/api/test/system-notification', { content: 'marker' });
    await streams[0]!.waitFor((s) => eventsOf(s).some((e) => e.content === 'marker'));
    expect(eventsOf(streams[0]!)).toHaveLength(2);
  });

  it('is not served without PUBLISH_TOKEN', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const event = { type: 'system_notification', content: 'x', timestamp: 'now' };
    expect((await api(server.url, smith.token).post('/api/internal/events', { userIds: [smith.user.id], event })).status).toBe(404);
    expect(() => loadConfig({ PUBLISH_TOKEN: 'too short' })).toThrow(/PUBLISH_TOKEN/);
  });
});
