import { EventSource } from 'eventsource';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../common/events.js';
import { startTestRedis, type TestRedis } from '../../support/redis-server.js';
import { login, startTestServer, type TestServer } from '../../support/test-server.js';

describe('a replay larger than the slow-client bound', () => {
  let redis: TestRedis;
  let server: TestServer;
  beforeAll(async () => {
    redis = await startTestRedis();
    // The defaults: 1,000 events of history, streams dropped past 1 MiB unsent.
    server = await startTestServer({ redisUrl: redis.url, env: { EVENT_HISTORY_LENGTH: '1000', STREAM_MAX_BUFFERED_BYTES: String(1024 * 1024) } });
  });
  afterAll(async () => {
    await server.close();
    await redis.stop();
  });

  it('reaches a real EventSource whole: 1,000 events of 4 kB each, in order, once', async () => {
    const { token, user } = await login(server.url, 'nurse.jones', 'clinicpulse');
    const payload: EventPayload = { type: 'system_notification', content: 'x'.repeat(4_000), timestamp: new Date().toISOString() };
    const published: number[] = [];
    for (let batch = 0; batch < 20; batch++) published.push(...(await server.context.publisher.publishToMany(Array(50).fill(user.id), payload)));
    const received: number[] = [];
    let errors = 0;
    const source = new EventSource(`${server.url}/api/events/stream`, {
      fetch: (input, init) => fetch(input, { ...init, headers: { ...init?.headers, authorization: `Bearer ${token}` } }),
    });
    source.addEventListener('message', (e) => received.push(JSON.parse(e.data).id));
    source.addEventListener('error', () => errors++);
    const ready = new Promise((resolve) => source.addEventListener('ready', resolve));
    await ready;
    source.close();
    expect(errors).toBe(0);
    expect(received).toEqual(published);
  });
});
