import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../../common/events.js';
import { Accounts } from '../../../server/users/accounts.js';
import { startTestRedis } from '../../support/redis-server.js';
import { openRawStream, type RawStream } from '../../support/sse-client.js';
import { api, login, spawnServerProcess, startTestServer } from '../../support/test-server.js';

const notice = (content: string): EventPayload => ({ type: 'system_notification', content, timestamp: new Date().toISOString() });
const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function openStream(serverUrl: string, token: string): Promise<RawStream> {
  const stream = await openRawStream(`${serverUrl}/api/events/stream`, { authorization: `Bearer ${token}` });
  cleanups.push(() => stream.close());
  expect(stream.status).toBe(200);
  await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
  return stream;
}

const ended = (stream: RawStream) => Promise.race([stream.ended.then(() => true), new Promise((resolve) => setTimeout(() => resolve(false), 15_000))]);

describe('a stream lives no longer than its session', () => {
  it('ends the streams of a session signed out on another server process at once, and only those', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    // Session checks far apart: only the revocation through Redis can end the stream in time.
    const a = await spawnServerProcess({ redisUrl: redis.url, env: { STREAM_SESSION_CHECK_SECONDS: '3600' } });
    cleanups.push(() => a.stop());
    const b = await startTestServer({ redisUrl: redis.url, dataDir: a.dataDir, demoData: false, env: { STREAM_SESSION_CHECK_SECONDS: '3600' } });
    cleanups.push(() => b.close());
    const desk = await login(a.url, 'nurse.jones', 'clinicpulse');
    const otherDesk = await login(a.url, 'nurse.jones', 'clinicpulse');
    const signingOut = await openStream(a.url, desk.token);
    const staying = await openStream(a.url, otherDesk.token);

    expect((await api(b.url, desk.token).post('/api/auth/logout')).status).toBe(204);
    expect(await ended(signingOut)).toBe(true);
    const id = await b.context.publisher.publish(otherDesk.user.id, notice('still for the other desk'));
    await staying.waitFor((s) => s.eventIds().includes(id));
    expect(signingOut.eventIds()).not.toContain(id);
    expect((await openRawStream(`${a.url}/api/events/stream`, { authorization: `Bearer ${desk.token}` })).status).toBe(401);
  });

  it('ends a stream when its session expires, not only at the next reconnect', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    // Sessions of about three seconds.
    const server = await startTestServer({ redisUrl: redis.url, env: { SESSION_TTL_HOURS: String(3 / 3600) } });
    cleanups.push(() => server.close());
    const { token, user } = await login(server.url, 'dr.patel', 'clinicpulse');
    const stream = await openStream(server.url, token);
    await expect.poll(async () => (await api(server.url, token).get('/api/me')).status, { timeout: 10_000, interval: 100 }).toBe(401);
    expect(await ended(stream)).toBe(true);
    const id = await server.context.publisher.publish(user.id, notice('after the session expired'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stream.eventIds()).not.toContain(id);
  });

  it('ends a stream whose user was disabled without a word through Redis (the command line), at the next session check', async () => {
    const redis = await startTestRedis();
    cleanups.push(() => redis.stop());
    const server = await startTestServer({ redisUrl: redis.url, env: { STREAM_SESSION_CHECK_SECONDS: '0.5' } });
    cleanups.push(() => server.close());
    const { token, user } = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const stream = await openStream(server.url, token);
    // What `npm run user -- disable` does: the database only.
    await new Accounts(server.context.db).update(user.id, { disabled: true });
    expect(await ended(stream)).toBe(true);
  });
});
