import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PersonalSettingsResponse } from '../../common/api.js';
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

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});

describe("a person's settings on the server", () => {
  it('are kept per person, changed in part, and announced to their desks', async () => {
    const nurse = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const client = api(server.url, nurse.token);
    expect(
      (await client.get<PersonalSettingsResponse>('/api/me/settings')).body.settings,
    ).toBeNull();

    const changed = await client.patch<PersonalSettingsResponse>('/api/me/settings', {
      doNotDisturb: true,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.settings).toEqual({
      previewLevel: 'sender_only',
      doNotDisturb: true,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
      sound: true,
    });
    // Another sign-in of the same person, at another desk, finds them.
    const elsewhere = api(
      server.url,
      (await login(server.url, 'nurse.jones', DEMO_PASSWORD)).token,
    );
    expect(
      (await elsewhere.get<PersonalSettingsResponse>('/api/me/settings')).body.settings,
    ).toEqual(changed.body.settings);
    await eventually(
      async () =>
        (await userEvents(server.context.redis, nurse.user.id)).some(
          (event) => event.type === 'settings_changed' && event.settings.doNotDisturb,
        ),
      'settings_changed',
    );
    const colleague = api(server.url, (await login(server.url, 'dr.patel', DEMO_PASSWORD)).token);
    expect(
      (await colleague.get<PersonalSettingsResponse>('/api/me/settings')).body.settings,
    ).toBeNull();
  });

  it('refuse what is not a personal setting, or not valid, with a 400 that changes nothing', async () => {
    const client = api(server.url, (await login(server.url, 'frontdesk.lee', DEMO_PASSWORD)).token);
    for (const body of [
      { startAtLogin: true },
      { previewLevel: 'everything' },
      { quietHours: { enabled: true } },
    ]) {
      const response = await client.patch('/api/me/settings', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
    }
    expect(
      (await client.get<PersonalSettingsResponse>('/api/me/settings')).body.settings,
    ).toBeNull();
  });
});
