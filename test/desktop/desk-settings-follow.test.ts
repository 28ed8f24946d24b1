import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PersonalSettingsResponse } from '../../common/api.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, startTestServer, type TestServer } from '../support/test-server.js';
import { newColleague, startCore, temporaryDirectory, type RunningCore } from './support/core-harness.js';
import { waitUntil } from './support/desk.js';

let redis: TestRedis;
let server: TestServer;
beforeAll(async () => {
  redis = await startTestRedis();
  server = await startTestServer({ redisUrl: redis.url });
});
afterAll(async () => {
  await server.close();
  await redis.stop();
});

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A nurse signed in at this desk, and a colleague who writes to them. */
async function nurseAtDesk() {
  const nurse = await newColleague(server.url, 'Nurse Desk');
  const colleague = await newColleague(server.url, 'Colleague Writer');
  const desk = await startCore({ dir: temporaryDirectory(cleanups), cleanups });
  const conversation = await api(server.url, colleague.token).post('/api/conversations', {
    participantIds: [nurse.user.id],
  });
  const conversationId = conversation.body.conversation.id as number;
  const write = async (text: string) => {
    const sent = await api(server.url, colleague.token).post(
      `/api/conversations/${conversationId}/messages`,
      { text },
    );
    expect(sent.status).toBe(201);
    return String(sent.body.message.id);
  };
  /** The person's settings, changed from another desk of theirs (the browser, say). */
  const elsewhere = async (patch: object) => {
    expect((await api(server.url, nurse.token).patch('/api/me/settings', patch)).status).toBe(200);
  };
  const signIn = async () => {
    await desk.core.signIn({
      serverUrl: server.url,
      username: nurse.username,
      password: nurse.password,
    });
    await waitUntil(() => desk.events.some((event) => event.type === 'ready'), 'the desk is ready');
  };
  return { nurse, desk, write, elsewhere, signIn };
}

/** The message ids of the pop-ups this desk showed, in order. */
function poppedUp(desk: RunningCore): string[] {
  const ids = new Set(desk.sink.shown.flatMap((popup) => popup.eventIds));
  return desk.events.flatMap((event) =>
    'id' in event && event.type === 'new_message' && ids.has(event.id) ? [event.message_id ?? ''] : [],
  );
}

function settingsChangedCount(desk: RunningCore): number {
  return desk.events.filter((event) => event.type === 'settings_changed').length;
}

describe("the desktop app's pop-ups follow the person's settings", () => {
  it("takes the person's do-not-disturb at sign-in and follows a change on their other desk, before the next message", async () => {
    const { nurse, desk, write, elsewhere, signIn } = await nurseAtDesk();
    await elsewhere({ doNotDisturb: true });
    // Turned on hours ago: the stream's history no longer holds the change, the server's settings do.
    const connection = new Redis(redis.url);
    await expect.poll(() => connection.llen(`user:${nurse.user.id}:events`)).toBeGreaterThan(0);
    await connection.del(`user:${nurse.user.id}:events`);
    connection.disconnect();
    await signIn();
    expect(desk.core.settings.doNotDisturb).toBe(true);
    const held = await write('while do-not-disturb is on');
    await waitUntil(() => desk.core.state().unreadCount === 1, 'the held message counts');

    await elsewhere({ doNotDisturb: false });
    const shown = await write('after it was turned off elsewhere');
    await waitUntil(() => desk.sink.shown.length > 0, 'a pop-up');
    expect(poppedUp(desk)).toEqual([shown]);
    expect(poppedUp(desk)).not.toContain(held);
    expect(desk.core.settings.doNotDisturb).toBe(false);
  });

  it('a change made at this desk (the tray, the window) reaches the person’s settings on the server', async () => {
    const { nurse, desk, signIn } = await nurseAtDesk();
    await signIn();
    await desk.core.updateSettings({ doNotDisturb: true, doNotDisturbUntil: null, startAtLogin: true });
    const stored = async () =>
      (await api(server.url, nurse.token).get<PersonalSettingsResponse>('/api/me/settings')).body
        .settings;
    await expect.poll(stored, { timeout: 10_000 }).toMatchObject({ doNotDisturb: true });
    // Start at login belongs to the computer, not the person.
    expect(await stored()).not.toHaveProperty('startAtLogin');
  });

  it('a desk that keeps its own settings does not follow the person', async () => {
    const { desk, write, elsewhere, signIn } = await nurseAtDesk();
    await signIn();
    await desk.core.updateSettings({ keepOwnSettings: true });
    await elsewhere({ doNotDisturb: true });
    await waitUntil(() => settingsChangedCount(desk) >= 1, 'the change reaches the desk');
    expect(desk.core.settings.doNotDisturb).toBe(false);
    const shown = await write('pops up here all the same');
    await waitUntil(() => desk.sink.shown.length > 0, 'a pop-up');
    expect(poppedUp(desk)).toEqual([shown]);

    // Following again, the desk takes the person's settings at once.
    await desk.core.updateSettings({ keepOwnSettings: false });
    await waitUntil(() => desk.core.settings.doNotDisturb, "the person's do-not-disturb");
  });

  it('do-not-disturb whose end time passed before the desk heard of it is turned off at once, for the person too', async () => {
    const { nurse, desk, elsewhere, signIn } = await nurseAtDesk();
    await elsewhere({ doNotDisturb: true, doNotDisturbUntil: new Date(Date.now() - 60_000).toISOString() });
    await signIn();
    await waitUntil(() => !desk.core.settings.doNotDisturb, 'the past do-not-disturb turned off');
    const stored = async () =>
      (await api(server.url, nurse.token).get<PersonalSettingsResponse>('/api/me/settings')).body
        .settings;
    await expect.poll(stored, { timeout: 10_000 }).toMatchObject({ doNotDisturb: false });
  });

  it('do-not-disturb with an end time holds pop-ups until then only, and the desk turns it off then, for the person too', async () => {
    const { nurse, desk, write, elsewhere, signIn } = await nurseAtDesk();
    const until = new Date(Date.now() + 2_500).toISOString();
    await elsewhere({ doNotDisturb: true, doNotDisturbUntil: until });
    await signIn();
    const held = await write('before the end time');
    await waitUntil(() => desk.core.state().unreadCount === 1, 'the held message counts');
    await waitUntil(() => !desk.core.settings.doNotDisturb, 'do-not-disturb ended by itself');
    const shown = await write('after the end time');
    await waitUntil(() => desk.sink.shown.length > 0, 'a pop-up');
    expect(poppedUp(desk)).toEqual([shown]);
    expect(poppedUp(desk)).not.toContain(held);
    const stored = await api(server.url, nurse.token).get<PersonalSettingsResponse>(
      '/api/me/settings',
    );
    expect(stored.body.settings).toMatchObject({ doNotDisturb: false });
  });
});
