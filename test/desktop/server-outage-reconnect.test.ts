import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF } from '../../main/stream/backoff.js';
import { EventPublisher } from '../../server/events/event-publisher.js';
import { startTestRedis } from '../support/redis-server.js';
import { login, startTestServer, type TestServer } from '../support/test-server.js';
import { openDesk, waitUntil } from './support/desk.js';

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function temporaryDirectory(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * Long enough for a plain backoff to have grown past it (1 s, 2 s, 4 s, then 8 s: its next try
 * would come 7 s after the server's return), short enough for a test.
 */
const OUTAGE_MS = 8_000;
/**
 * "Within a few seconds of the server's return", the desk's own answer, not a speed measurement:
 * probes come at most 1.5 s apart, and a loaded CI machine needs the rest for the stream and its
 * replay. A plain backoff's next try would come 7 s after the return.
 */
const BACK_WITHIN_MS = 5_000;

describe('a desk across a server outage', () => {
  it('asks only /healthz while the server is away and is back on the stream within about 2 s of its return', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const dataDir = temporaryDirectory('clinicpulse-server-');
    let server: TestServer | undefined = await startTestServer({ redisUrl: redis.url, dataDir });
    cleanups.push(() => server?.close());
    const { port } = new URL(server.url);
    const { token, user } = await login(server.url, 'dr.smith', 'clinicpulse');

    let serverAway = false;
    const whileAway = { probes: 0, streams: 0 };
    const desk = await openDesk({
      serverUrl: server.url,
      token,
      userId: user.id,
      dataDirectory: temporaryDirectory('clinicpulse-desk-'),
      // The app's own backoff, at the top of its jitter: the worst case for a desk.
      backoff: DEFAULT_BACKOFF,
      random: () => 1,
      heartbeatTimeoutMs: 60_000,
      fetch: (url, init) => {
        const path = new URL(url).pathname;
        if (serverAway && path === '/healthz') whileAway.probes++;
        if (serverAway && path === '/api/events/stream') whileAway.streams++;
        return fetch(url, init);
      },
    });
    cleanups.push(() => desk.session.stop());
    const readyCount = () => desk.events.filter((event) => event.type === 'ready').length;
    await waitUntil(() => readyCount() === 1, 'the desk is ready');

    await server.close();
    server = undefined;
    serverAway = true;
    await waitUntil(
      () => desk.states.at(-1)?.status === 'reconnecting',
      'the desk notices the server is gone',
    );
    // The outage itself: the server stays away this long, whatever the desk does.
    await new Promise((resolve) => setTimeout(resolve, OUTAGE_MS));

    server = await startTestServer({ redisUrl: redis.url, dataDir, env: { PORT: port } });
    serverAway = false;
    await waitUntil(
      () => readyCount() === 2 && desk.states.at(-1)?.status === 'connected',
      `the desk is on the stream again within ${BACK_WITHIN_MS} ms of the server's return`,
      BACK_WITHIN_MS,
    );
    // While away it asked the cheap /healthz, never the stream, so a clinic's desks do not
    // all hammer a server that is starting up.
    expect(whileAway.probes).toBeGreaterThan(3);
    expect(whileAway.streams).toBe(0);

    // And what the user notices: a notice sent now pops up on this desk.
    const connection = new Redis(redis.url);
    cleanups.push(() => connection.disconnect());
    const publisher = new EventPublisher(connection, {
      historyTtlSeconds: 3600,
      historyLength: 1000,
    });
    const id = await publisher.publish(user.id, {
      type: 'system_notification',
      content: 'Fire drill at 15:00',
      timestamp: new Date().toISOString(),
    });
    await waitUntil(() => desk.sink.eventIds().includes(id), 'the notice pops up');
    expect(desk.problems).toEqual([]);
  });
});
