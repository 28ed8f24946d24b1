import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { eventually } from './support/user-events.js';

let redis: TestRedis;
let server: TestServer;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({
    redisUrl: redis.url,
    env: { LOGIN_MAX_FAILURES: '3', LOGIN_MAX_FAILURES_PER_IP: '1000' },
  });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

const signIn = (body: unknown, headers: Record<string, string> = {}) =>
  api(server.url).post('/api/auth/login', body, headers);

describe('sign-in', () => {
  it('returns a token, the user and the expiry, and sets an httpOnly SameSite=Lax session cookie', async () => {
    const response = await signIn({ username: 'dr.smith', password: DEMO_PASSWORD });
    expect(response.status).toBe(200);
    expect(response.body.user).toEqual({
      id: expect.any(Number),
      username: 'dr.smith',
      displayName: 'Dr. Sarah Smith',
      role: 'clinician',
    });
    expect(response.body.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(response.body.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3_600_000);
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith('session='));
    expect(cookie).toContain(`session=${response.body.token}`);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    expect(cookie).not.toMatch(/Secure/i);
  });

  it('accepts the username in any case', async () => {
    expect((await signIn({ username: 'Dr.Patel', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('stores only a hash of the token', async () => {
    const { token } = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const rows = server.context.db.prepare('SELECT token_hash FROM sessions').all() as {
      token_hash: string;
    }[];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.some((row) => row.token_hash.includes(token))).toBe(false);
  });

  it('gives the same 401 for an unknown user and for a wrong password', async () => {
    const unknown = await signIn({ username: 'nobody.here', password: 'whatever1' });
    const wrong = await signIn({ username: 'frontdesk.lee', password: 'not-the-password' });
    expect(unknown.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
    expect(unknown.body.error.code).toBe('invalid_credentials');
  });

  it('rejects a malformed sign-in with 400 naming the field', async () => {
    const response = await signIn({ username: 'dr.smith' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(response.body.error.message).toMatch(/password/);
  });

  it('throttles a username after repeated failures with 429 and Retry-After, even for the right password', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await signIn({ username: 'dr.patel', password: `wrong-${attempt}` })).status).toBe(
        401,
      );
    }
    const throttled = await signIn({ username: 'dr.patel', password: DEMO_PASSWORD });
    expect(throttled.status).toBe(429);
    expect(throttled.body.error.code).toBe('too_many_requests');
    expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    // Other accounts are not locked out by it.
    expect((await signIn({ username: 'nurse.jones', password: DEMO_PASSWORD })).status).toBe(200);
  });

  it('throttles a client address that fails across many usernames', async () => {
    await redis.flushAll();
    const strict = await startTestServer({
      redisUrl: redis.url,
      env: { LOGIN_MAX_FAILURES_PER_IP: '2' },
    });
    try {
      const attempt = (username: string) =>
        api(strict.url).post('/api/auth/login', { username, password: 'guess-guess' });
      expect((await attempt('first.guess')).status).toBe(401);
      expect((await attempt('second.guess')).status).toBe(401);
      const throttled = await attempt('third.guess');
      expect(throttled.status).toBe(429);
      expect(throttled.headers.get('retry-after')).toMatch(/^\d+$/);
    } finally {
      await strict.close();
      await redis.flushAll();
    }
  });

  it('keeps throttling sign-in while Redis is down, the server process counting on its own', async () => {
    const own = await startTestRedis();
    const offline = await startTestServer({
      redisUrl: own.url,
      env: { LOGIN_MAX_FAILURES: '2', LOGIN_MAX_FAILURES_PER_IP: '1000' },
    });
    try {
      await own.stop({ keepData: true });
      await eventually(() => offline.context.redis.status !== 'ready', 'the server to notice');
      const attempt = (password: string) =>
        api(offline.url).post('/api/auth/login', { username: 'dr.patel', password });
      expect((await attempt(DEMO_PASSWORD)).status).toBe(200);
      expect((await attempt('wrong-1')).status).toBe(401);
      expect((await attempt('wrong-2')).status).toBe(401);
      const throttled = await attempt(DEMO_PASSWORD);
      expect(throttled.status).toBe(429);
      expect(throttled.body.error.code).toBe('too_many_requests');
      expect(Number(throttled.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await offline.close();
      await own.stop();
    }
  });

  it('marks the cookie Secure behind a TLS-terminating proxy when TRUST_PROXY is on', async () => {
    const proxied = await startTestServer({ redisUrl: redis.url, env: { TRUST_PROXY: 'true' } });
    try {
      const response = await api(proxied.url).post(
        '/api/auth/login',
        { username: 'dr.smith', password: DEMO_PASSWORD },
        { 'x-forwarded-proto': 'https' },
      );
      expect(response.status).toBe(200);
      expect(response.headers.getSetCookie().find((line) => line.startsWith('session='))).toMatch(
        /Secure/i,
      );
    } finally {
      await proxied.close();
    }
  });
});

describe('sessions', () => {
  it('works with the bearer token and with the cookie', async () => {
    const { token, cookie, user } = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const byBearer = await api(server.url, token).get('/api/me');
    const byCookie = await api(server.url).get('/api/me', { cookie });
    expect(byBearer).toMatchObject({ status: 200, body: { user } });
    expect(byCookie).toMatchObject({ status: 200, body: { user } });
  });

  it('answers 401 JSON without a session or with a bad token', async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: 'Bearer not-a-token' },
      { cookie: 'session=forged' },
    ];
    for (const headers of attempts) {
      const response = await api(server.url).get('/api/me', headers);
      expect(response.status).toBe(401);
      expect(response.body.error.code).toBe('unauthorized');
    }
  });

  it('ends the session on logout and clears the cookie', async () => {
    const { token } = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const client = api(server.url, token);
    const logout = await client.post('/api/auth/logout');
    expect(logout.status).toBe(204);
    expect(logout.headers.getSetCookie().join()).toMatch(/session=;/);
    expect((await client.get('/api/me')).status).toBe(401);
  });

  it('stops a disabled user at once, and sign-in fails with the usual message', async () => {
    const created = await adminCreates('temp.nurse', 'nurse');
    const { token } = await login(server.url, 'temp.nurse', 'temporary-pass');
    expect((await api(server.url, token).get('/api/me')).status).toBe(200);

    const admin = await login(server.url, 'admin', DEMO_PASSWORD);
    expect(
      (
        await api(server.url, admin.token).patch(`/api/admin/users/${created.id}`, {
          disabled: true,
        })
      ).status,
    ).toBe(200);

    expect((await api(server.url, token).get('/api/me')).status).toBe(401);
    const again = await signIn({ username: 'temp.nurse', password: 'temporary-pass' });
    expect(again.status).toBe(401);
    expect(again.body.error.code).toBe('invalid_credentials');
  });

  it('refuses a disabled user even with a session the database still holds', async () => {
    const created = await adminCreates('temp.clerk', 'front_desk');
    const { token } = await login(server.url, 'temp.clerk', 'temporary-pass');
    // Disabled behind the API's back (another process, or by hand): the session lookup checks it.
    server.context.db.prepare('UPDATE users SET disabled = 1 WHERE id = ?').run(created.id);
    expect((await api(server.url, token).get('/api/me')).status).toBe(401);
  });
});

async function adminCreates(username: string, role: string): Promise<{ id: number }> {
  const admin = await login(server.url, 'admin', DEMO_PASSWORD);
  const response = await api(server.url, admin.token).post('/api/admin/users', {
    username,
    displayName: username,
    role,
    password: 'temporary-pass',
  });
  expect(response.status).toBe(201);
  return response.body.user;
}
