import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  AdminUser,
  AdminUsersResponse,
  ServerHealthResponse,
  SystemNoticesResponse,
} from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  api,
  DEMO_PASSWORD,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { eventually, userEvents } from './support/user-events.js';

let redis: TestRedis;
let server: TestServer;
let admin: ReturnType<typeof api>;
let nurse: ReturnType<typeof api>;
let nurseId: number;

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
  admin = api(server.url, (await login(server.url, 'admin', DEMO_PASSWORD)).token);
  const nurseLogin = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
  nurse = api(server.url, nurseLogin.token);
  nurseId = nurseLogin.user.id;
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

async function account(username: string): Promise<AdminUser | undefined> {
  const { body } = await admin.get<AdminUsersResponse>('/api/admin/users');
  return body.users.find((user) => user.username === username);
}

describe('the admin console API', () => {
  it('shows when each person last signed in, and never for one who has not', async () => {
    const created = await admin.post('/api/admin/users', {
      username: 'nurse.kim',
      displayName: 'Nurse Kim Park',
      role: 'nurse',
      password: 'a long passphrase',
    });
    expect(created.status).toBe(201);
    expect(created.body.user.lastSignInAt).toBeNull();
    expect((await account('nurse.jones'))?.lastSignInAt).toEqual(expect.any(String));

    const before = Date.now();
    await login(server.url, 'nurse.kim', 'a long passphrase');
    const signedIn = Date.parse((await account('nurse.kim'))?.lastSignInAt ?? '');
    expect(signedIn).toBeGreaterThanOrEqual(before - 1_000);
    // Signing out ends the session, not the record of the sign-in.
    await api(server.url, (await login(server.url, 'nurse.kim', 'a long passphrase')).token).post(
      '/api/auth/logout',
    );
    expect((await account('nurse.kim'))?.lastSignInAt).toEqual(expect.any(String));
  });

  it('tells every desk that the staff directory changed when an account is added, renamed or disabled', async () => {
    const changes = async () =>
      (await userEvents(server.context.redis, nurseId)).filter(
        (event) => event.type === 'directory_changed',
      ).length;
    const before = await changes();
    const created = await admin.post('/api/admin/users', {
      username: 'dr.okafor',
      displayName: 'Dr. Ada Okafor',
      role: 'clinician',
      password: 'a long passphrase',
    });
    await eventually(async () => (await changes()) === before + 1, 'directory_changed');
    await admin.patch(`/api/admin/users/${created.body.user.id}`, { displayName: 'Dr. A. Okafor' });
    await eventually(async () => (await changes()) === before + 2, 'a second directory_changed');
    // A new password changes nothing anyone else sees.
    await admin.patch(`/api/admin/users/${created.body.user.id}`, {
      password: 'another passphrase',
    });
    await admin.patch(`/api/admin/users/${created.body.user.id}`, { disabled: true });
    await eventually(async () => (await changes()) === before + 3, 'a third directory_changed');
    expect(await changes()).toBe(before + 3);
  });

  it('keeps a history of system notices: what, to whom, how many people it reached, and who sent it', async () => {
    const toNurses = await admin.post('/api/admin/system-notifications', {
      content: 'Fire drill at 14:00',
      role: 'nurse',
    });
    expect(toNurses.status).toBe(200);
    const toOne = await admin.post('/api/admin/system-notifications', {
      content: 'Your badge is ready',
      userIds: [nurseId],
    });
    expect(toOne.body.recipients).toBe(1);

    const { status, body } = await admin.get<SystemNoticesResponse>('/api/admin/system-notices');
    expect(status).toBe(200);
    const [latest, previous] = body.notices;
    expect(latest).toMatchObject({
      content: 'Your badge is ready',
      audience: 'people',
      userIds: [nurseId],
      recipients: 1,
      sentBy: { displayName: 'Clinic IT Admin' },
    });
    expect(previous).toMatchObject({
      content: 'Fire drill at 14:00',
      audience: 'role',
      role: 'nurse',
      recipients: toNurses.body.recipients,
    });
    expect((await nurse.get('/api/admin/system-notices')).status).toBe(403);
  });

  it('reports server health: the readiness checks and key figures, to admins only', async () => {
    const { status, body } = await admin.get<ServerHealthResponse>('/api/admin/health');
    expect(status).toBe(200);
    expect(body.ready).toBe(true);
    expect(body.checks).toEqual({ redis: 'ok', database: 'ok', events: 'ok' });
    expect(body.testEndpoints).toBe(true);
    expect(body.figures.eventsPublished).toBeGreaterThan(0);
    expect(body.figures.residentMemoryBytes).toBeGreaterThan(0);
    expect(body.figures.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect((await nurse.get('/api/admin/health')).status).toBe(403);
  });
});
