import { connect } from 'node:net';
import { EventSource } from 'eventsource';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../common/events.js';
import { EventPublisher } from '../../../server/events/event-publisher.js';
import { FAN_OUT_CHANNEL, LIVE_CHANNEL } from '../../../server/events/keys.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { openRawStream } from '../../support/sse-client.js';
import { login, spawnServerProcess, startTestServer } from '../../support/test-server.js';

const notice = (content: string): EventPayload => ({ type: 'system_notification', content, timestamp: new Date().toISOString() });
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function redisServer(options?: { appendOnly?: boolean }): Promise<TestRedis> {
  const redis = await startTestRedis(options);
  cleanups.push(() => redis.stop());
  return redis;
}

/**
 * A Redis whose clients may use only the channels matching `pattern` (an ACL restriction): a
 * SUBSCRIBE to any other fails, as a subscription the server cannot get.
 */
async function redisRefusingChannelsBut(...patterns: string[]) {
  const redis = await redisServer();
  const admin = new Redis(redis.url);
  cleanups.push(() => admin.disconnect());
  await admin.acl('SETUSER', 'default', 'resetchannels', ...patterns.map((pattern) => `&${pattern}`));
  return { redis, admin, allowAllChannels: () => admin.acl('SETUSER', 'default', 'allchannels') };
}

/**
 * Two server processes on one Redis and one database, as behind a load balancer: `a` spawned,
 * `b` in this process (so a test can reach its publisher).
 */
async function twoServerProcesses(redisUrl: string) {
  const a = await spawnServerProcess({ redisUrl });
  cleanups.push(() => a.stop());
  const b = await startTestServer({ redisUrl, dataDir: a.dataDir, demoData: false });
  cleanups.push(() => b.close());
  return { a, b };
}

function publisherFor(url: string, historyTtlSeconds = 3600): EventPublisher {
  const connection = new Redis(url);
  cleanups.push(() => connection.disconnect());
  return new EventPublisher(connection, { historyTtlSeconds, historyLength: 1000 });
}

/**
 * A real EventSource that records event ids and control frames. Like the product's clients, it
 * opens a new EventSource from its last id when the browser-standard one gives up (a 503 while
 * Redis is down ends an EventSource for good).
 */
function recordingEventSource(url: string, token: string) {
  const ids: number[] = [];
  const controls: string[] = [];
  let source: EventSource;
  let stopped = false;
  const open = () => {
    source = new EventSource(url, {
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        headers.set('authorization', `Bearer ${token}`);
        // A new EventSource knows no last id; hand it ours.
        if (!headers.has('last-event-id') && ids.length > 0) headers.set('last-event-id', String(ids.at(-1)));
        return fetch(input, { ...init, headers });
      },
    });
    source.addEventListener('message', (e) => {
      const event = JSON.parse(e.data) as { id: number; type: string };
      if (event.type === 'system_notification' || event.type === 'new_message') ids.push(event.id);
    });
    for (const type of ['ready', 'resync']) source.addEventListener(type, () => controls.push(type));
    source.addEventListener('error', () => {
      if (source.readyState === EventSource.CLOSED && !stopped) setTimeout(open, 200);
    });
  };
  open();
  cleanups.push(() => {
    stopped = true;
    source.close();
  });
  return { ids, controls };
}

describe('delivery across failures', () => {
  it('tells a client to resync when the history it needs has expired', async () => {
    const redis = await redisServer();
    const server = await startTestServer({ redisUrl: redis.url, env: { EVENT_HISTORY_TTL_SECONDS: '1' } });
    cleanups.push(() => server.close());
    const { token, user } = await login(server.url, 'dr.smith', 'clinicpulse');
    const publisher = publisherFor(redis.url, 1);
    const seen = await publisher.publish(user.id, notice('seen'));
    await publisher.publish(user.id, notice('missed, then expired'));
    await expect.poll(async () => (await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}`, 'last-event-id': String(seen) }).then(async (s) => {
      await s.waitFor((x) => x.messages.some((m) => m.event === 'ready'));
      s.close();
      return s.messages.find((m) => m.event === 'resync')?.data ?? '';
    })), { timeout: 5_000, interval: 250 }).toContain('history_expired');
  });

  it('delivers an event published on one server process to streams on another', async () => {
    const redis = await redisServer();
    const { a, b } = await twoServerProcesses(redis.url);
    const smith = await login(a.url, 'dr.smith', 'clinicpulse');
    const onA = recordingEventSource(`${a.url}/api/events/stream`, smith.token);
    const onB = recordingEventSource(`${b.url}/api/events/stream`, smith.token);
    await expect.poll(() => onA.controls.includes('ready') && onB.controls.includes('ready')).toBe(true);
    const viaB = await b.context.publisher.publish(smith.user.id, notice('from process B'));
    const ack = await fetch(`${a.url}/api/events/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${smith.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ lastEventId: viaB }),
    });
    expect(ack.status).toBe(200);
    await expect.poll(() => [onA.ids, onB.ids]).toEqual([[viaB], [viaB]]);
  });

  it('delivers a fan-out to the streams on each of two server processes', async () => {
    const redis = await redisServer();
    const { a, b } = await twoServerProcesses(redis.url);
    const smith = await login(a.url, 'dr.smith', 'clinicpulse');
    const jones = await login(a.url, 'nurse.jones', 'clinicpulse');
    const streams = [a, b].flatMap((server) =>
      [smith, jones].map(({ token, user }) => ({ userId: user.id, client: recordingEventSource(`${server.url}/api/events/stream`, token) })),
    );
    await expect.poll(() => streams.every(({ client }) => client.controls.includes('ready'))).toBe(true);
    const recipients = [smith.user.id, jones.user.id];
    const viaB = await b.context.publisher.publishToMany(recipients, notice('from process B'));
    const viaOther = await publisherFor(redis.url).publishToMany(recipients.toReversed(), notice('from another process'));
    const expected = new Map([
      [smith.user.id, [viaB[0], viaOther[1]]],
      [jones.user.id, [viaB[1], viaOther[0]]],
    ]);
    await expect.poll(() => streams.map(({ client }) => client.ids)).toEqual(streams.map(({ userId }) => expected.get(userId)));
  });

  it('loses and repeats nothing across a server restart while events keep being published', async () => {
    const redis = await redisServer();
    let server = await spawnServerProcess({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    const { dataDir, port } = server;
    cleanups.push(() => server.stop());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const client = recordingEventSource(`${server.url}/api/events/stream`, smith.token);
    await expect.poll(() => client.controls.includes('ready')).toBe(true);
    const publisher = publisherFor(redis.url);
    const published: number[] = [];
    for (let i = 0; i < 5; i++) published.push(await publisher.publish(smith.user.id, notice(`before ${i}`)));
    await expect.poll(() => client.ids.length).toBe(5);
    await server.stop();
    for (let i = 0; i < 5; i++) published.push(await publisher.publish(smith.user.id, notice(`while down ${i}`)));
    server = await spawnServerProcess({ redisUrl: redis.url, dataDir, port, demoData: false, env: { SSE_RETRY_MS: '200' } });
    for (let i = 0; i < 5; i++) published.push(await publisher.publish(smith.user.id, notice(`after ${i}`)));
    await expect.poll(() => client.ids.length, { timeout: 15_000 }).toBe(15);
    expect(client.ids).toEqual(published);
  });

  it('loses and repeats nothing across a Redis restart within the history TTL', async () => {
    const redis = await redisServer({ appendOnly: true });
    const server = await startTestServer({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const client = recordingEventSource(`${server.url}/api/events/stream`, smith.token);
    await expect.poll(() => client.controls.includes('ready')).toBe(true);
    const publisher = publisherFor(redis.url);
    const published = [await publisher.publish(smith.user.id, notice('before'))];
    await expect.poll(() => client.ids.length).toBe(1);
    await redis.stop({ keepData: true });
    await redis.start();
    for (let i = 0; i < 5; i++) published.push(await publisher.publish(smith.user.id, notice(`after restart ${i}`)));
    await expect.poll(() => client.ids, { timeout: 15_000 }).toEqual(published);
    expect(client.controls).not.toContain('resync');
  });

  it('subscribes the fan-out channel again after a Redis restart, so fan-outs reach the streams that came back', async () => {
    const redis = await redisServer({ appendOnly: true });
    const server = await startTestServer({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    cleanups.push(() => server.close());
    const users = [await login(server.url, 'dr.smith', 'clinicpulse'), await login(server.url, 'nurse.jones', 'clinicpulse')];
    const clients = users.map(({ token }) => recordingEventSource(`${server.url}/api/events/stream`, token));
    const readyCount = (client: { controls: string[] }) => client.controls.filter((control) => control === 'ready').length;
    await expect.poll(() => clients.every((client) => readyCount(client) === 1)).toBe(true);
    const publisher = publisherFor(redis.url);
    const recipients = users.map(({ user }) => user.id);
    const before = await publisher.publishToMany(recipients, notice('before'));
    await expect.poll(() => clients.map((client) => client.ids)).toEqual(before.map((id) => [id]));
    await redis.stop({ keepData: true });
    await redis.start();
    // Every stream is back before the next fan-out, so only live delivery can bring it.
    await expect.poll(() => clients.every((client) => readyCount(client) === 2)).toBe(true);
    const after = await publisher.publishToMany(recipients, notice('after'));
    await expect.poll(() => clients.map((client) => client.ids)).toEqual(before.map((id, i) => [id, after[i]]));
    for (const client of clients) expect(client.controls).not.toContain('resync');
  });

  it('opens no stream while its user’s channel is not subscribed', async () => {
    const { redis, allowAllChannels } = await redisRefusingChannelsBut(FAN_OUT_CHANNEL, LIVE_CHANNEL);
    const server = await startTestServer({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const refused = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${smith.token}` });
    expect(refused.status).toBe(503);
    await allowAllChannels();
    const client = recordingEventSource(`${server.url}/api/events/stream`, smith.token);
    await expect.poll(() => client.controls.includes('ready')).toBe(true);
    const id = await publisherFor(redis.url).publish(smith.user.id, notice('after the subscribe'));
    await expect.poll(() => client.ids).toEqual([id]);
  });

  it('opens no stream while the fan-out channel is not subscribed, and opens them once it is', async () => {
    const { redis, admin, allowAllChannels } = await redisRefusingChannelsBut('user:*');
    const server = await startTestServer({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const refused = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${smith.token}` });
    expect(refused.status).toBe(503);
    expect(JSON.parse(refused.errorBody).error.code).toBe('unavailable');
    await allowAllChannels();
    // The hub subscribes the fan-out channel again when its connection is ready again.
    const connections = String(await admin.call('CLIENT', 'LIST')).split('\n');
    const subscriber = connections.find((line) => line.includes('name=clinicpulse-subscriber'));
    await admin.client('KILL', 'ID', subscriber!.match(/^id=(\d+)/)![1]!);
    const client = recordingEventSource(`${server.url}/api/events/stream`, smith.token);
    await expect.poll(() => client.controls.includes('ready')).toBe(true);
    const [id] = await publisherFor(redis.url).publishToMany([smith.user.id], notice('after the subscribe'));
    await expect.poll(() => client.ids).toEqual([id]);
  });

  it('subscribes the fan-out channel again by itself once Redis allows it, on the same connection', async () => {
    const { redis, allowAllChannels } = await redisRefusingChannelsBut('user:*');
    const server = await startTestServer({ redisUrl: redis.url, env: { SSE_RETRY_MS: '200' } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    expect((await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${smith.token}` })).status).toBe(503);
    await allowAllChannels();
    const client = recordingEventSource(`${server.url}/api/events/stream`, smith.token);
    await expect.poll(() => client.controls.includes('ready')).toBe(true);
    const [id] = await publisherFor(redis.url).publishToMany([smith.user.id], notice('after the ACL was fixed'));
    await expect.poll(() => client.ids).toEqual([id]);
  });

  it('closes a stream whose client stops reading once its unsent data passes the bound', async () => {
    const redis = await redisServer();
    const server = await startTestServer({ redisUrl: redis.url, env: { STREAM_MAX_BUFFERED_BYTES: '65536' } });
    cleanups.push(() => server.close());
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const { port } = new URL(server.url);
    const socket = connect(Number(port), '127.0.0.1');
    socket.on('error', () => undefined);
    cleanups.push(() => socket.destroy());
    socket.write(`GET /api/events/stream HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${smith.token}\r\n\r\n`);
    // Read the headers, then stop reading for good. A client that does not read does not notice
    // the server hanging up either, so the server's metrics tell.
    await new Promise((resolve) => socket.once('data', resolve));
    socket.pause();
    const slowClientsClosed = async () =>
      /clinicpulse_slow_clients_closed_total 1/.test(await (await fetch(`${server.url}/metrics`)).text());
    const publisher = publisherFor(redis.url);
    const big = notice('x'.repeat(1_900));
    // The kernel's socket buffers (megabytes on loopback) fill before the server's own bound.
    for (let published = 0; published < 20_000 && !(await slowClientsClosed()); published += 500) {
      await Promise.all(Array.from({ length: 10 }, () => publisher.publishToMany(Array(50).fill(smith.user.id), big)));
    }
    await expect.poll(slowClientsClosed).toBe(true);
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(metrics).toMatch(/clinicpulse_open_streams 0/);
  });
});
