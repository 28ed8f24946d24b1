import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, afterEach, describe, expect, it } from 'vitest';
import type { PresenceResponse, PresenceStatus } from '../../common/presence.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, startTestServer, type TestServer } from '../support/test-server.js';
import { openDesk } from './support/desk.js';

let redis: TestRedis;
let server: TestServer;
const cleanups: (() => Promise<unknown> | unknown)[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server?.close();
  await redis?.stop();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe("the desktop app's presence", () => {
  it('follows the OS: available while it sees input, away after 5 idle minutes or at once on the screen lock, back on input or unlock', async () => {
    const nurse = await login(server.url, 'nurse.jones', 'clinicpulse');
    const colleague = api(server.url, (await login(server.url, 'dr.patel', 'clinicpulse')).token);
    const statusOfNurse = async (): Promise<PresenceStatus> =>
      (await colleague.get<PresenceResponse>('/api/presence')).body.presence.find(
        (entry) => entry.userId === nurse.user.id,
      )?.status ?? 'away';
    const dataDirectory = mkdtempSync(join(tmpdir(), 'clinicpulse-desk-'));
    cleanups.push(() => rmSync(dataDirectory, { recursive: true, force: true }));
    // What powerMonitor.getSystemIdleTime() would answer, in ms.
    let osIdleMs = 0;
    const desk = await openDesk({
      serverUrl: server.url,
      token: nurse.token,
      userId: nurse.user.id,
      dataDirectory,
      presence: { systemIdleMs: () => osIdleMs, deskId: 'ward-3-desktop', checkEveryMs: 50 },
    });
    cleanups.push(() => desk.session.stop());

    await expect.poll(statusOfNurse).toBe('available');
    osIdleMs = 6 * 60_000;
    await expect.poll(statusOfNurse).toBe('away');
    osIdleMs = 2_000;
    await expect.poll(statusOfNurse).toBe('available');

    desk.session.screenLocked(true);
    await expect.poll(statusOfNurse).toBe('away');
    desk.session.screenLocked(false);
    await expect.poll(statusOfNurse).toBe('available');
    expect(desk.problems).toEqual([]);
  });
});
