import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  DEMO_USERS,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';

let redis: TestRedis;
let server: TestServer;
let admin: ReturnType<typeof api>;
let nurse: ReturnType<typeof api>;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
  nurse = api(server.url, (await login(server.url, 'nurse.jones', DEMO_PASSWORD)).token);
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe('staff directory', () => {
  it('lists the enabled accounts with id, username, displayName and role only', async () => {
    const response = await nurse.get('/api/users');
    expect(response.status).toBe(200);
    expect(response.body.users.map((user: { username: string }) => user.username).sort()).toEqual(
      DEMO_USERS.map((user) => user.username).sort(),
    );
    for (const user of response.body.users)
      expect(Object.keys(user).sort()).toEqual(['displayName', 'id', 'role', 'username']);
  });

  it('needs a session', async () => {
    expect((await api(server.url).get('/api/users')).status).toBe(401);
  });
});

describe('admin user API', () => {
  it('is forbidden to everyone but admins', async () => {
    for (const request of [
      nurse.get('/api/admin/users'),
      nurse.post('/api/admin/users', {
        username: 'x.y',
        displayName: 'X',
        role: 'admin',
        password: 'password1',
      }),
      nurse.patch('/api/admin/users/1', { role: 'admin' }),
    ]) {
      const response = await request;
      expect(response.status).toBe(403);
      expect(response.body.error.code).toBe('forbidden');
    }
    expect((await api(server.url).get('/api/admin/users')).status).toBe(401);
  });

  it('lists every account with its status and never a password hash', async () => {
    const response = await admin.get('/api/admin/users');
    expect(response.status).toBe(200);
    expect(response.body.users).toHaveLength(DEMO_USERS.length);
    expect(response.body.users[0]).toEqual({
      id: expect.any(Number),
      username: expect.any(String),
      displayName: expect.any(String),
      role: expect.any(String),
      disabled: false,
      createdAt: expect.any(String),
      lastSignInAt: expect.any(String),
    });
    expect(JSON.stringify(response.body)).not.toMatch(/scrypt/);
  });

  it('creates an account that can sign in, and refuses a duplicate username (any case) with 409', async () => {
    const created = await admin.post('/api/admin/users', {
      username: 'dr.okafor',
      displayName: 'Dr. Ada Okafor',
      role: 'clinician',
      password: 'welcome-ada',
    });
    expect(created.status).toBe(201);
    expect(created.body.user).toMatchObject({
      username: 'dr.okafor',
      displayName: 'Dr. Ada Okafor',
      role: 'clinician',
      disabled: false,
    });
    expect((await login(server.url, 'dr.okafor', 'welcome-ada')).user.id).toBe(
      created.body.user.id,
    );

    const duplicate = await admin.post('/api/admin/users', {
      username: 'DR.OKAFOR',
      displayName: 'Other',
      role: 'nurse',
      password: 'welcome-other',
    });
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.code).toBe('conflict');
  });

  it('rejects invalid accounts with 400 naming the field, and creates nothing', async () => {
    const before = (await admin.get('/api/admin/users')).body.users.length;
    for (const [body, field] of [
      [{ username: 'a b', displayName: 'X', role: 'nurse', password: 'password1' }, 'username'],
      [{ username: 'ok.name', displayName: 'X', role: 'surgeon', password: 'password1' }, 'role'],
      [{ username: 'ok.name', displayName: 'X', role: 'nurse', password: 'short' }, 'password'],
      [{ username: 'ok.name', role: 'nurse', password: 'password1' }, 'displayName'],
      // Text that would rewrite a pop-up: a second line, or an override that reverses the rest.
      [{ username: 'ok.name', displayName: 'Dr. A\nFire alarm: evacuate', role: 'nurse', password: 'password1' }, 'displayName'],
      [{ username: 'ok.name', displayName: 'Nurse \u202Eecnal', role: 'nurse', password: 'password1' }, 'displayName'],
      [{ username: 'ok.name', displayName: 'Tab\there', role: 'nurse', password: 'password1' }, 'displayName'],
    ] as const) {
      const response = await admin.post('/api/admin/users', body);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toContain(field);
    }
    expect((await admin.get('/api/admin/users')).body.users.length).toBe(before);
  });

  it('renames, changes role, resets the password (ending old sessions), disables and enables', async () => {
    const { body } = await admin.post('/api/admin/users', {
      username: 'temp.staff',
      displayName: 'Temp',
      role: 'front_desk',
      password: 'first-password',
    });
    const id = body.user.id as number;
    const session = api(
      server.url,
      (await login(server.url, 'temp.staff', 'first-password')).token,
    );

    const renamed = await admin.patch(`/api/admin/users/${id}`, {
      displayName: 'Temp Staff',
      role: 'nurse',
    });
    expect(renamed.body.user).toMatchObject({ displayName: 'Temp Staff', role: 'nurse' });
    expect((await session.get('/api/me')).body.user).toMatchObject({
      displayName: 'Temp Staff',
      role: 'nurse',
    });

    expect(
      (await admin.patch(`/api/admin/users/${id}`, { password: 'second-password' })).status,
    ).toBe(200);
    expect((await session.get('/api/me')).status).toBe(401);
    await expect(login(server.url, 'temp.staff', 'first-password')).rejects.toThrow(/401/);
    await login(server.url, 'temp.staff', 'second-password');

    expect(
      (await admin.patch(`/api/admin/users/${id}`, { disabled: true })).body.user.disabled,
    ).toBe(true);
    expect(
      (await nurse.get('/api/users')).body.users.some((user: { id: number }) => user.id === id),
    ).toBe(false);
    expect(
      (await admin.patch(`/api/admin/users/${id}`, { disabled: false })).body.user.disabled,
    ).toBe(false);
    await login(server.url, 'temp.staff', 'second-password');
  });

  it('answers 404 for an unknown user, 400 for a bad id or an empty change', async () => {
    expect((await admin.patch('/api/admin/users/99999', { role: 'nurse' })).status).toBe(404);
    expect((await admin.patch('/api/admin/users/abc', { role: 'nurse' })).status).toBe(400);
    expect((await admin.patch('/api/admin/users/1', {})).status).toBe(400);
  });

  it('never leaves the clinic without an enabled admin', async () => {
    const me = (await admin.get('/api/me')).body.user.id as number;
    const demote = await admin.patch(`/api/admin/users/${me}`, { role: 'nurse' });
    expect(demote.status).toBe(409);
    expect(demote.body.error.message).toMatch(/last enabled admin/);
    expect((await admin.patch(`/api/admin/users/${me}`, { disabled: true })).status).toBe(409);
    expect((await admin.get('/api/me')).body.user.role).toBe('admin');
  });
});
