import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { openRawStream } from '../support/sse-client.js';
import { api, DEMO_PASSWORD, login, spawnServerProcess, startTestServer, type TestServer } from '../support/test-server.js';
import { userEvents } from './support/user-events.js';

let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

/** A request as a browser page sends it, with the session cookie. */
function fromPage(cookie: string, path: string, headers: Record<string, string>, body = 'x=1') {
  return fetch(`${server.url}${path}`, { method: 'POST', headers: { cookie, 'content-type': 'text/plain', ...headers }, body });
}

describe('state changes that ride on the session cookie', () => {
  it('are refused from another site or another origin of the same site, and change nothing', async () => {
    const { cookie, token, user } = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const events = (await userEvents(server.context.redis, user.id)).length;
    const attempts: Record<string, string>[] = [
      { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' },
      // Another port of the clinic's own host is the same site: SameSite=Lax sends the cookie.
      { origin: 'http://127.0.0.1:1', 'sec-fetch-site': 'same-site' },
      { origin: 'http://evil.example' },
      { origin: 'null' },
    ];
    for (const headers of attempts) {
      for (const path of ['/api/test/system-notification', '/api/auth/logout']) {
        const response = await fromPage(cookie, path, headers);
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(403);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe('forbidden');
      }
    }
    expect((await userEvents(server.context.redis, user.id)).length).toBe(events);
    expect((await api(server.url, token).get('/api/me')).status).toBe(200);
  });

  it('are accepted from the page itself, and with a bearer token from anywhere', async () => {
    const { cookie, token } = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const sameOrigin = await fromPage(cookie, '/api/test/system-notification', { 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' }, '{}');
    expect(sameOrigin.status).toBe(200);
    const ownOrigin = await fromPage(cookie, '/api/test/system-notification', { origin: server.url, 'content-type': 'application/json' }, '{}');
    expect(ownOrigin.status).toBe(200);
    const bearer = await api(server.url, token).post('/api/test/system-notification', {}, { origin: 'http://evil.example', 'sec-fetch-site': 'cross-site' });
    expect(bearer.status).toBe(200);
    expect((await fromPage(cookie, '/api/auth/logout', { 'sec-fetch-site': 'same-origin' })).status).toBe(204);
  });
});

describe('what the server hands out', () => {
  it('marks every API answer and the event stream no-store, errors included', async () => {
    const { token } = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const client = api(server.url, token);
    for (const response of [await client.get('/api/me'), await client.get('/api/conversations'), await api(server.url).get('/api/me'), await client.get('/api/nothing')]) {
      expect(response.headers.get('cache-control')).toBe('no-store');
    }
    const stream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}` });
    expect(stream.headers['cache-control']).toMatch(/^no-store/);
    stream.close();
    const refused = await openRawStream(`${server.url}/api/events/stream`, {});
    expect(refused.status).toBe(401);
    expect(refused.headers['cache-control']).toBe('no-store');
  });

  it('logs a refused sign-in without what was typed as the username', async () => {
    const logged = await spawnServerProcess({ redisUrl: redis.url, env: { LOG_LEVEL: 'info' } });
    try {
      const typedByMistake = 'MyS3cretPassw0rd!';
      const response = await api(logged.url).post('/api/auth/login', { username: typedByMistake, password: 'whatever' });
      expect(response.status).toBe(401);
      await expect.poll(() => logged.output()).toContain('sign-in refused');
      expect(logged.output()).not.toContain(typedByMistake);
      expect(logged.output()).not.toContain(typedByMistake.toLowerCase());
    } finally {
      await logged.stop();
    }
  });

  it('refuses conversation titles and test senders that carry line breaks or direction overrides', async () => {
    const { token } = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const client = api(server.url, token);
    const jones = (await client.get('/api/users')).body.users.find((u: { username: string }) => u.username === 'nurse.jones');
    for (const title of ['Ward\nFire drill now', 'Room \u202E3 moor', 'Bell\u0007']) {
      const response = await client.post('/api/conversations', { participantIds: [jones.id], title });
      expect(response.status, JSON.stringify(title)).toBe(400);
      expect(response.body.error.message).toMatch(/title/);
    }
    expect((await client.post('/api/test/new-message', { sender: 'Dr. A\r\nDr. B' })).status).toBe(400);
  });
});
