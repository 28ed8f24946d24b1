import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  ConnectionState,
  DesktopState,
  NotificationTarget,
} from '../../common/desktop-bridge.js';
import type { AlertStatus } from '../../common/alerts.js';
import type { ControlEvent, StreamEvent } from '../../common/events.js';
import { DesktopCore } from '../../main/core/desktop-core.js';
import { RecordingNotificationSink } from '../../main/notify/recording-notification-sink.js';
import type { SecretCipher } from '../../main/session/secret-cipher.js';
import { SessionStore } from '../../main/session/session-store.js';
import { freePort, startTestRedis, type TestRedis } from '../support/redis-server.js';
import { api, login, startTestServer, type TestServer } from '../support/test-server.js';
import { waitUntil } from './support/desk.js';
import { basicTextCipher, keyringCipher, refusingKeychainCipher } from './support/test-ciphers.js';

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

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function dataDirectory(): string {
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-core-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The desktop app's main process minus Electron, as main.ts builds it, recording what it would show. */
async function startCore(options: { dir: string; cipher: SecretCipher; preset?: string | null }) {
  const sink = new RecordingNotificationSink();
  const seen = {
    events: [] as (StreamEvent | ControlEvent)[],
    states: [] as ConnectionState[],
    unread: [] as number[],
    clicks: [] as NotificationTarget[],
    changes: [] as DesktopState[],
  };
  const core = new DesktopCore({
    dataDirectory: options.dir,
    fetch: (url, init) => fetch(url, init),
    sink,
    cipher: options.cipher,
    platform: 'linux',
    appConfig: { serverUrl: options.preset ?? null, source: null },
    tuning: { burst: { quietMs: 30, maxWaitMs: 150 }, backoff: { initialMs: 50, maxMs: 400 } },
  });
  core.subscribe({
    event: (event) => seen.events.push(event),
    connectionState: (state) => seen.states.push(state),
    unreadCount: (count) => seen.unread.push(count),
    notificationClick: (target) => seen.clicks.push(target),
    stateChanged: (state) => seen.changes.push(state),
  });
  cleanups.push(() => core.shutdown());
  const initial = await core.init();
  return { core, sink, seen, initial };
}

const demo = (username: string) => ({
  serverUrl: `${server.url}/ignored/path`,
  username,
  password: 'clinicpulse',
});

async function conversationWith(senderToken: string, recipientId: number): Promise<number> {
  const created = await api(server.url, senderToken).post('/api/conversations', {
    participantIds: [recipientId],
  });
  expect(created.status).toBeLessThan(300);
  return created.body.conversation.id as number;
}

describe('desktop core (main process without Electron) against the real server', () => {
  it('offers the preset server URL before anyone signs in', async () => {
    const { initial } = await startCore({
      dir: dataDirectory(),
      cipher: keyringCipher(),
      preset: 'https://clinic.example',
    });
    expect(initial).toMatchObject({
      session: null,
      serverUrl: 'https://clinic.example',
      connection: { status: 'signed_out' },
      unreadCount: 0,
    });
    expect(initial.settings.previewLevel).toBe('sender_only');
  });

  it('starts at once with a saved session while the server is unreachable, and keeps retrying', async () => {
    const dir = dataDirectory();
    const cipher = keyringCipher();
    const unreachable = `http://127.0.0.1:${await freePort()}`;
    await new SessionStore(join(dir, 'session.json'), cipher).save({
      serverUrl: unreachable,
      user: { id: 1, username: 'dr.smith', displayName: 'Dr. Sarah Smith', role: 'clinician' },
      token: 'saved-token',
      expiresAt: '2999-01-01T00:00:00Z',
    });
    const { initial, seen } = await startCore({ dir, cipher });
    expect(initial.session?.serverUrl).toBe(unreachable);
    await waitUntil(
      () => seen.states.filter((state) => state.status === 'reconnecting').length >= 2,
      'it retries',
    );
  });

  it('refuses a wrong password with the server message and stays signed out', async () => {
    const { core } = await startCore({ dir: dataDirectory(), cipher: keyringCipher() });
    await expect(core.signIn({ ...demo('dr.smith'), password: 'wrong-password' })).rejects.toThrow(
      'username or password is incorrect',
    );
    expect(core.state().session).toBeNull();
  });

  it('signs in, raises one pop-up for a message from another user, counts it, and a click opens the conversation', async () => {
    const dir = dataDirectory();
    const cipher = keyringCipher();
    const { core, sink, seen } = await startCore({ dir, cipher });
    const state = await core.signIn(demo('dr.patel'));
    expect(state.session).toMatchObject({ serverUrl: server.url, user: { username: 'dr.patel' } });
    expect(state.notice).toBeNull();
    await waitUntil(
      () => seen.events.some((event) => event.type === 'ready'),
      'the stream is ready',
    );
    expect(core.state().connection.status).toBe('connected');

    const lee = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const conversationId = await conversationWith(lee.token, state.session!.user.id);
    const sent = await api(server.url, lee.token).post(
      `/api/conversations/${conversationId}/messages`,
      { text: 'Mr. Alvarez is here <early>' },
    );
    expect(sent.status).toBe(201);

    await waitUntil(() => sink.shown.length === 1, 'one pop-up');
    expect(sink.shown[0]).toMatchObject({
      kind: 'single',
      title: 'Mia Lee',
      body: 'New message',
      urgency: 'normal',
    });
    expect(core.state().unreadCount).toBe(1);
    expect(seen.unread.at(-1)).toBe(1);
    sink.click(0);
    expect(seen.clicks).toEqual([{ kind: 'conversation', conversationId: String(conversationId) }]);

    // The token was kept only encrypted.
    const saved = readFileSync(join(dir, 'session.json'), 'utf8');
    expect(saved).not.toContain(lee.token);
    expect(JSON.parse(saved).encryptedToken).toEqual(expect.any(String));

    // An app restart resumes the session from disk, pops up nothing again, and keeps the badge.
    await core.shutdown();
    const restarted = await startCore({ dir, cipher });
    expect(restarted.initial.session?.user.username).toBe('dr.patel');
    expect(restarted.initial.unreadCount).toBe(1);
    await waitUntil(
      () => restarted.seen.events.some((event) => event.type === 'ready'),
      'the restarted stream is ready',
    );
    expect(restarted.sink.shown).toEqual([]);
    await restarted.core.markAllRead();
    expect(restarted.core.state().unreadCount).toBe(0);
  });

  it('makes REST calls for the renderer with the token, and refuses paths outside /api or under /api/auth', async () => {
    const { core } = await startCore({ dir: dataDirectory(), cipher: keyringCipher() });
    expect(await core.request({ method: 'GET', path: '/api/me' })).toMatchObject({ status: 401 });
    await core.signIn(demo('nurse.jones'));
    expect(await core.request({ method: 'GET', path: '/api/me' })).toMatchObject({
      status: 200,
      body: { user: { username: 'nurse.jones' } },
    });
    expect(
      await core.request({
        method: 'POST',
        path: '/api/conversations',
        body: { participantIds: [] },
      }),
    ).toMatchObject({
      status: 400,
      body: { error: { code: 'validation_failed' } },
    });
    expect(await core.request({ method: 'GET', path: '/api/../healthz' })).toMatchObject({
      status: 400,
    });
    const login = await core.request({
      method: 'POST',
      path: '/api/auth/login',
      body: { username: 'admin', password: 'clinicpulse' },
    });
    expect(login).toMatchObject({ status: 403, body: { error: { code: 'forbidden' } } });
    expect(JSON.stringify(login)).not.toMatch(/token/i);
  });

  it('without an OS secret store the token is not written, and the next start asks to sign in again saying why', async () => {
    const dir = dataDirectory();
    const cipher = basicTextCipher('no keyring here');
    const { core } = await startCore({ dir, cipher });
    const state = await core.signIn(demo('admin'));
    expect(state.session?.user.username).toBe('admin');
    expect(state.notice).toBe('no keyring here');
    expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))).toMatchObject({
      encryptedToken: null,
      user: { username: 'admin' },
    });
    await core.shutdown();

    const { initial } = await startCore({ dir, cipher });
    expect(initial).toMatchObject({
      session: null,
      serverUrl: server.url,
      notice: 'no keyring here',
      connection: { status: 'signed_out' },
    });
  });

  it('signing out deletes the saved session; a token revoked elsewhere signs the desk out', async () => {
    const dir = dataDirectory();
    const cipher = keyringCipher();
    const { core, seen } = await startCore({ dir, cipher });
    await core.signIn(demo('dr.smith'));
    expect(existsSync(join(dir, 'session.json'))).toBe(true);
    await core.signOut();
    expect(existsSync(join(dir, 'session.json'))).toBe(false);
    expect(core.state()).toMatchObject({ session: null, connection: { status: 'signed_out' } });

    await core.signIn(demo('dr.smith'));
    expect((await core.request({ method: 'GET', path: '/api/me' })).status).toBe(200);
    // The session is ended on the server (an admin, or sign-out elsewhere with this token).
    const encrypted = JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))
      .encryptedToken as string;
    const token = cipher.decrypt(Buffer.from(encrypted, 'base64'));
    await fetch(`${server.url}/api/auth/logout`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect((await core.request({ method: 'GET', path: '/api/me' })).status).toBe(401);
    expect(core.state()).toMatchObject({
      session: null,
      notice: 'Your session has ended. Please sign in again.',
    });
    expect(seen.states.at(-1)?.status).toBe('signed_out');
    expect(existsSync(join(dir, 'session.json'))).toBe(false);
  });

  it('when the keychain refuses to encrypt, signs in for this run without saving the token, and says why', async () => {
    const dir = dataDirectory();
    const cipher = refusingKeychainCipher('User canceled the Keychain prompt');
    const { core, seen } = await startCore({ dir, cipher });
    const state = await core.signIn(demo('nurse.jones'));
    expect(state.session?.user.username).toBe('nurse.jones');
    expect(state.notice).toContain('User canceled the Keychain prompt');
    expect(state.notice).toContain('until ClinicPulse quits');
    await waitUntil(
      () => seen.events.some((event) => event.type === 'ready'),
      'the stream is ready',
    );
    expect((await core.request({ method: 'GET', path: '/api/me' })).status).toBe(200);
    expect(JSON.parse(readFileSync(join(dir, 'session.json'), 'utf8'))).toMatchObject({
      encryptedToken: null,
      user: { username: 'nurse.jones' },
    });
    await core.shutdown();

    const { initial } = await startCore({ dir, cipher });
    expect(initial).toMatchObject({ session: null, serverUrl: server.url });
    expect(initial.notice).toMatch(/not kept on this computer/);
  });

  it('overlapping sign-ins leave exactly one stream, so each event pops up once', async () => {
    const { core, sink } = await startCore({ dir: dataDirectory(), cipher: keyringCipher() });
    const openStreams = async () => {
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      return Number(/^clinicpulse_open_streams (\d+)/m.exec(metrics)?.[1]);
    };
    await expect.poll(openStreams).toBe(0);
    const [first, second] = await Promise.all([
      core.signIn(demo('dr.patel')),
      core.signIn(demo('dr.patel')),
      core.signOut(),
      core.signIn(demo('dr.patel')),
    ]);
    expect(first.session?.user.username).toBe('dr.patel');
    expect(second.session?.user.username).toBe('dr.patel');
    expect(core.state().session?.user.username).toBe('dr.patel');
    await expect.poll(() => core.state().connection.status).toBe('connected');
    await expect.poll(openStreams).toBe(1);

    const lee = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const conversationId = await conversationWith(lee.token, first.session!.user.id);
    await api(server.url, lee.token).post(`/api/conversations/${conversationId}/messages`, {
      text: 'once only',
    });
    await waitUntil(() => sink.shown.length > 0, 'a pop-up');
    await core.shutdown();
    expect(sink.eventIds()).toHaveLength(1);
  });

  it('after quit nothing signs in again, and a second quit waits for the first', async () => {
    const { core } = await startCore({ dir: dataDirectory(), cipher: keyringCipher() });
    await core.signIn(demo('admin'));
    const quits = [core.shutdown(), core.shutdown()];
    await expect(core.signIn(demo('admin'))).rejects.toThrow('quitting');
    await Promise.all(quits);
    expect(core.state().session).toBeNull();
  });

  it("the desk is the computer's name until renamed in Settings; then that is what the sender's receipts show, also after a restart", async () => {
    const dir = dataDirectory();
    const cipher = keyringCipher();
    const { core, sink, seen } = await startCore({ dir, cipher });
    const state = await core.signIn(demo('nurse.jones'));
    await waitUntil(() => seen.events.some((event) => event.type === 'ready'), 'ready');
    expect(await core.deskName()).toBe(hostname().trim());

    expect(await core.setDeskName("Nurses' station PC")).toBe("Nurses' station PC");
    const smith = await login(server.url, 'dr.smith', 'clinicpulse');
    const conversationId = await conversationWith(smith.token, state.session!.user.id);
    const sent = await api(server.url, smith.token).post<{ message: { alertId: number } }>(
      `/api/conversations/${conversationId}/messages`,
      { text: 'Obs for bed 4 please' },
    );
    await waitUntil(() => sink.shown.length === 1, 'the pop-up');
    const desksShown = async () =>
      (
        await api(server.url, smith.token).get<{ alert: AlertStatus }>(
          `/api/alerts/${sent.body.message.alertId}`,
        )
      ).body.alert.recipients.flatMap((recipient) =>
        recipient.desks.filter((desk) => desk.shownAt !== null).map((desk) => desk.deskName),
      );
    await expect.poll(desksShown, { timeout: 20_000 }).toEqual(["Nurses' station PC"]);

    await core.shutdown();
    const restarted = await startCore({ dir, cipher });
    expect(await restarted.core.deskName()).toBe("Nurses' station PC");
  });
});
