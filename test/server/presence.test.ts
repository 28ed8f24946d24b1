import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PresenceChangedControl } from '../../common/events.js';
import type { OwnPresenceResponse, PresenceResponse } from '../../common/presence.js';
import { PresenceStore } from '../../server/presence/presence-store.js';
import { PresenceSweeper } from '../../server/presence/presence-sweeper.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { openRawStream, type RawStream } from '../support/sse-client.js';
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

const streams: RawStream[] = [];
afterEach(() => {
  for (const stream of streams.splice(0)) stream.close();
});

/** A desk's stream of this user, once it is live. */
async function liveStream(token: string): Promise<RawStream> {
  const stream = await openRawStream(`${server.url}/api/events/stream`, { authorization: `Bearer ${token}` });
  streams.push(stream);
  await stream.waitFor((s) => s.messages.some((m) => m.event === 'ready'));
  return stream;
}

/** The `presence_changed` control frames about `userId` this stream received. */
function presenceFramesAbout(stream: RawStream, userId: number): PresenceChangedControl[] {
  return stream.messages
    .filter((m) => m.event === 'presence_changed')
    .map((m) => JSON.parse(m.data) as PresenceChangedControl)
    .filter((control) => control.user_id === String(userId));
}

describe('presence', () => {
  it('a desk in use makes its person available, a choice makes them busy, and each change reaches colleagues once', async () => {
    const nurse = await login(server.url, 'nurse.jones', DEMO_PASSWORD);
    const doctor = await login(server.url, 'dr.patel', DEMO_PASSWORD);
    const nurseApi = api(server.url, nurse.token);
    const doctorApi = api(server.url, doctor.token);
    const doctorDesk = await liveStream(doctor.token);
    const nurseDesk = await liveStream(nurse.token);
    const statusOfNurse = async () =>
      (await doctorApi.get<PresenceResponse>('/api/presence')).body.presence.find(
        (entry) => entry.userId === nurse.user.id,
      )?.status ?? 'away';
    expect(await statusOfNurse()).toBe('away');

    const reported = await nurseApi.post<OwnPresenceResponse>('/api/presence/report', {
      deskId: 'ward-3-browser-tab',
      active: true,
    });
    expect(reported.body).toEqual({ status: 'available', choice: 'available' });
    expect(await statusOfNurse()).toBe('available');
    // The same report again changes nothing and announces nothing.
    await nurseApi.post('/api/presence/report', { deskId: 'ward-3-browser-tab', active: true });

    const chosen = await nurseApi.post<OwnPresenceResponse>('/api/me/presence', {
      status: 'busy',
      deskId: 'ward-3-browser-tab',
    });
    expect(chosen.body).toEqual({ status: 'busy', choice: 'busy' });
    expect(await statusOfNurse()).toBe('busy');
    expect((await nurseApi.get<PresenceResponse>('/api/presence')).body.choice).toBe('busy');

    await doctorDesk.waitFor((s) => presenceFramesAbout(s, nurse.user.id).length === 2);
    expect(presenceFramesAbout(doctorDesk, nurse.user.id).map((control) => control.status)).toEqual(['available', 'busy']);
    await nurseDesk.waitFor((s) => presenceFramesAbout(s, nurse.user.id).length === 2);
    // Live only: control frames without an id, and nothing in anyone's event history.
    expect(doctorDesk.messages.filter((m) => m.event === 'presence_changed').every((m) => m.id === undefined)).toBe(true);
    for (const userId of [doctor.user.id, nurse.user.id]) {
      expect((await userEvents(server.context.redis, userId)).map((event) => event.type as string)).not.toContain('presence_changed');
    }

    // Idle on the only desk: away, though the choice stays busy for the next time.
    const idle = await nurseApi.post<OwnPresenceResponse>('/api/presence/report', {
      deskId: 'ward-3-browser-tab',
      active: false,
    });
    expect(idle.body).toEqual({ status: 'away', choice: 'busy' });
    expect(await statusOfNurse()).toBe('away');
  });

  it('a desk that stops reporting (asleep, closed) runs out and its person is announced away by the sweep', async () => {
    const frontDesk = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const colleague = await liveStream((await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
    const connection = new Redis(redis.url);
    try {
      const store = new PresenceStore(connection, 300);
      const sweeper = new PresenceSweeper(server.context, { store, everyMs: 100 });
      await store.report(frontDesk.user.id, 'front-desk-pc', true);
      expect((await store.list(frontDesk.user.id)).presence).toContainEqual({
        userId: frontDesk.user.id,
        status: 'available',
      });
      sweeper.start();
      try {
        await colleague.waitFor((s) => presenceFramesAbout(s, frontDesk.user.id).at(-1)?.status === 'away');
      } finally {
        await sweeper.stop();
      }
      expect((await store.list(frontDesk.user.id)).presence).not.toContainEqual(
        expect.objectContaining({ userId: frontDesk.user.id }),
      );
      // Redis forgets the desks of a person once their last report ran out.
      expect(await connection.exists(`{presence}:${frontDesk.user.id}:desks`)).toBe(0);
    } finally {
      connection.disconnect();
    }
  });

  it('refuses a bad report or choice with 400 and changes nothing', async () => {
    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const client = api(server.url, smith.token);
    const bad = [
      await client.post('/api/presence/report', { deskId: 'x', active: true }),
      await client.post('/api/presence/report', { deskId: 'desk id with spaces', active: true }),
      await client.post('/api/me/presence', { status: 'away', deskId: 'smith-desk-1' }),
      await client.post('/api/me/presence', { status: 'busy' }),
    ];
    for (const response of bad) {
      expect(response.status).toBe(400);
      expect(response.body).toEqual({
        error: { code: expect.any(String), message: expect.any(String) },
      });
    }
    expect((await client.get<PresenceResponse>('/api/presence')).body.presence).not.toContainEqual(
      expect.objectContaining({ userId: smith.user.id }),
    );
    expect((await api(server.url).get('/api/presence')).status).toBe(401);
  });
});

describe('presence while Redis is down', () => {
  it('answers 503 with a JSON error, and works again once Redis is back', async () => {
    const ownRedis = await startTestRedis();
    const ownServer = await startTestServer({ redisUrl: ownRedis.url });
    try {
      const nurse = await login(ownServer.url, 'nurse.jones', DEMO_PASSWORD);
      const client = api(ownServer.url, nurse.token);
      await ownRedis.stop({ keepData: true });
      for (const response of [
        await client.get('/api/presence'),
        await client.post('/api/presence/report', { deskId: 'ward-3-browser-tab', active: true }),
        await client.post('/api/me/presence', {
          status: 'busy',
          deskId: 'ward-3-browser-tab',
        }),
      ]) {
        expect(response.status).toBe(503);
        expect(response.body).toEqual({
          error: { code: 'unavailable', message: expect.any(String) },
        });
      }
      await ownRedis.start();
      await eventually(
        async () =>
          (
            await client.post('/api/presence/report', {
              deskId: 'ward-3-browser-tab',
              active: true,
            })
          ).status === 200,
        'reports are taken again',
      );
    } finally {
      await ownServer.close();
      await ownRedis.stop();
    }
  });
});
