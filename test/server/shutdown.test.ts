import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  DEMO_PASSWORD,
  login,
  spawnServerProcess,
  startTestServer,
} from '../support/test-server.js';

let redis: TestRedis;
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/**
 * Opens the event stream; `ended` resolves with everything it received once the server ends
 * it, and how: `done` (a complete body) or `error`.
 */
async function openStream(url: string, token: string) {
  const response = await fetch(`${url}/api/events/stream`, {
    headers: { authorization: `Bearer ${token}` },
  });
  expect(response.status).toBe(200);
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let received = decoder.decode((await reader.read()).value);
  const ended = (async () => {
    for (;;) {
      try {
        const chunk = await reader.read();
        if (chunk.done) return { received, end: 'done' };
        received += decoder.decode(chunk.value);
      } catch {
        return { received, end: 'error' };
      }
    }
  })();
  return { firstChunk: received, ended };
}

describe('graceful shutdown', () => {
  it('a spawned server ends its streams so that clients reconnect, and exits 0 on SIGTERM', async () => {
    const server = await spawnServerProcess({ redisUrl: redis.url });
    const { token } = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const stream = await openStream(server.url, token);
    expect(stream.firstChunk).toMatch(/^retry: \d+/);

    expect(await server.stop()).toBe(0);
    // Not a complete body: a client reading to `done` (the original system's fetch hook) would
    // take it as the end and never reconnect. Every client reconnects after an error.
    await expect(stream.ended).resolves.toEqual({ received: expect.stringMatching(/event: ready/), end: 'error' });
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it('close() in-process stops listening and closes Redis and SQLite', async () => {
    const server = await startTestServer({ redisUrl: redis.url });
    const { token } = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const stream = await openStream(server.url, token);
    await server.close();
    await expect(stream.ended).resolves.toEqual({ received: expect.any(String), end: 'error' });
    expect(server.context.db.open).toBe(false);
    expect(server.context.redis.status).toBe('end');
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });
});
