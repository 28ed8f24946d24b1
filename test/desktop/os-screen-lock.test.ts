import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { startTestServer, type TestServer } from '../support/test-server.js';
import { startCore, temporaryDirectory } from './support/core-harness.js';
import { waitUntil } from './support/desk.js';

let redis: TestRedis;
let server: TestServer;
const cleanups: (() => unknown)[] = [];

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

describe('the desktop app and the OS screen lock', () => {
  it('locks with the OS screen, stays locked when the OS unlocks, and opens again only with the password, the stream going on throughout', async () => {
    const { core, changes, states } = await startCore({
      dir: temporaryDirectory(cleanups),
      cleanups,
    });
    await core.signIn({ serverUrl: server.url, username: 'nurse.jones', password: 'clinicpulse' });
    await waitUntil(() => core.state().connection.status === 'connected', 'connected');
    expect(core.state().locked).toBe(false);
    const connectionsBefore = states.filter((state) => state.status === 'connected').length;

    // powerMonitor 'lock-screen': what the window shows becomes the app's lock screen.
    core.screenLocked(true);
    expect(core.state().locked).toBe(true);
    expect(changes.at(-1)?.locked).toBe(true);
    // 'unlock-screen': the OS account may be the ward's shared one; the app waits for its person.
    core.screenLocked(false);
    expect(core.state().locked).toBe(true);

    await expect(core.unlock('not the password')).rejects.toThrow(/incorrect/);
    expect(core.state().locked).toBe(true);
    const unlocked = await core.unlock('clinicpulse');
    expect(unlocked.locked).toBe(false);
    expect(changes.at(-1)?.locked).toBe(false);
    // Still the same person and the same stream: unlocking did not sign in again.
    expect(unlocked.session?.user.username).toBe('nurse.jones');
    expect(core.state().connection.status).toBe('connected');
    expect(states.filter((state) => state.status === 'connected').length).toBe(connectionsBefore);
  });

  it('has nothing to lock while nobody is signed in, and signing out ends a lock', async () => {
    const { core } = await startCore({ dir: temporaryDirectory(cleanups), cleanups });
    core.screenLocked(true);
    expect(core.state().locked).toBe(false);
    await core.signIn({ serverUrl: server.url, username: 'dr.patel', password: 'clinicpulse' });
    core.screenLocked(true);
    expect(core.state().locked).toBe(true);
    await core.signOut();
    expect(core.state().locked).toBe(false);
  });
});
