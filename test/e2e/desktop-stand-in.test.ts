import {
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertStatus } from '../../common/alerts.js';
import type { ConversationResponse } from '../../common/api.js';
import { AcknowledgeLinks } from '../../main/notify/acknowledge-links.js';
import { buildDesktop, type DesktopBuild } from '../../scripts/build-desktop.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  DEMO_PASSWORD,
  api,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';
import { launchChromium } from './support/chromium.js';
import { runBundle } from './support/electron-stand-in/run-bundle.js';
import {
  StandInElectron,
  type StandInWindow,
} from './support/electron-stand-in/stand-in-electron.js';

/**
 * A STAND-IN SMOKE TEST, NOT ELECTRON: the built main.cjs and preload.cjs run unchanged on a
 * strict stand-in for the `electron` module (support/electron-stand-in/), with Debian's
 * Chromium behind the window, against the real server and Redis. It catches what unit tests
 * cannot: a bundle or preload that does not load, startup-order mistakes (an API used before
 * `ready` or after quit), broken IPC wiring, a quit that never ends. What only Electron can
 * show stays with desktop-electron.test.ts, which runs where a real binary exists.
 */
const PATIENT_TEXT = 'Mr. Alvarez is in room 2';

function filesUnder(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('the desktop bundle on a stand-in Electron (stand-in smoke test)', () => {
  let redis: TestRedis;
  let server: TestServer;
  let browser: Browser;
  let work: string;
  let built: DesktopBuild;
  let electron: StandInElectron;
  let stopBundle: () => void;
  let window: StandInWindow;
  let page: Page;
  let laterConversationId = 0;
  const userData = () => join(work, 'user-data');

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clinicpulse-stand-in-'));
    built = await buildDesktop({ outDir: join(work, 'app') });
    redis = await startTestRedis();
    server = await startTestServer({ redisUrl: redis.url });
    browser = await launchChromium();
    // The server preset as IT ships it, in the installation's resources folder.
    const resources = join(work, 'resources');
    mkdirSync(resources, { recursive: true });
    writeFileSync(join(resources, 'app-config.json'), JSON.stringify({ serverUrl: server.url }));
    electron = new StandInElectron({
      browser,
      appPath: built.outDir,
      resourcesPath: resources,
      userData: userData(),
    });
    stopBundle = runBundle(join(built.outDir, 'main.cjs'), electron, resources);
    window = await electron.firstWindow;
    page = window.page!;
    page.setDefaultTimeout(20_000);
    await page.getByLabel('Username').waitFor();
  });

  afterAll(async () => {
    stopBundle?.();
    await electron?.close();
    await browser?.close();
    await server?.close();
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('starts in Electron’s order, shows the window, and gives the page only the named bridge', async () => {
    expect(electron.violations).toEqual([]);
    expect(window.isVisible()).toBe(true);
    const exposed = await page.evaluate(() => {
      const globals = globalThis as unknown as Record<string, unknown>;
      return {
        methods: Object.keys(globals.clinicPulse as object).sort(),
        require: typeof globals.require,
        process: typeof globals.process,
      };
    });
    expect(exposed.methods).toEqual([
      'getDeskName',
      'getState',
      'markAllRead',
      'onConnectionState',
      'onEvent',
      'onNotificationClick',
      'onState',
      'onUnreadCount',
      'request',
      'setDeskName',
      'setOpenConversation',
      'signIn',
      'signOut',
      'unlock',
      'updateSettings',
    ]);
    expect(exposed).toMatchObject({ require: 'undefined', process: 'undefined' });
    expect(await page.getByLabel('Clinic server address').inputValue()).toBe(server.url);
    expect(electron.trays).toHaveLength(1);
  });

  it('signs in through the page; a message from another user raises one pop-up, counts it, and a click opens the conversation', async () => {
    await page.getByLabel('Username').fill('dr.patel');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-user').waitFor({ state: 'attached' });
    const tray = electron.trays[0]!;
    await expect
      .poll(() => tray.tooltip, { timeout: 20_000 })
      .toBe('ClinicPulse — no unread notifications');

    const lee = await login(server.url, 'frontdesk.lee', DEMO_PASSWORD);
    const patel = (
      await api(server.url, lee.token).get<{ users: { id: number; username: string }[] }>(
        '/api/users',
      )
    ).body.users.find((user) => user.username === 'dr.patel')!;
    const created = await api(server.url, lee.token).post<ConversationResponse>(
      '/api/conversations',
      {
        participantIds: [patel.id],
      },
    );
    const conversationId = created.body.conversation.id;
    expect(
      (
        await api(server.url, lee.token).post(`/api/conversations/${conversationId}/messages`, {
          text: PATIENT_TEXT,
        })
      ).status,
    ).toBe(201);

    await expect.poll(() => electron.notifications.length, { timeout: 20_000 }).toBe(1);
    expect(electron.notifications[0]!.options).toMatchObject({
      title: 'Mia Lee',
      body: 'New message',
    });
    await expect.poll(() => electron.badgeCount).toBe(1);
    expect(tray.tooltip).toBe('ClinicPulse — 1 unread notification');

    // Every API call and the stream went through the in-memory session with its cache off.
    const apiPartition = electron.partitions.find(
      (partition) => partition.name === 'clinicpulse-api',
    );
    expect(apiPartition).toMatchObject({ options: { cache: false } });
    expect(apiPartition!.fetches).toBeGreaterThan(0);
    expect(
      electron.partitions.find((partition) => partition.name.startsWith('(default'))?.fetches ?? 0,
    ).toBe(0);

    electron.notifications[0]!.click();
    await expect
      .poll(() =>
        page.evaluate(
          () => (globalThis as unknown as { location: { hash: string } }).location.hash,
        ),
      )
      .toBe(`#/conversations/${conversationId}`);
    expect(window.isVisible()).toBe(true);
    expect(electron.notifications).toHaveLength(1);
  });

  it('closing the window keeps the app in the tray, still raising pop-ups', async () => {
    expect(window.close()).toBe(false);
    expect(window.isVisible()).toBe(false);
    expect(window.isDestroyed()).toBe(false);
    expect(electron.exitCode).toBeNull();

    const smith = await login(server.url, 'dr.smith', DEMO_PASSWORD);
    const patelId = (
      await api(server.url, smith.token).get<{ users: { id: number; username: string }[] }>(
        '/api/users',
      )
    ).body.users.find((user) => user.username === 'dr.patel')!.id;
    const created = await api(server.url, smith.token).post<ConversationResponse>(
      '/api/conversations',
      {
        participantIds: [patelId],
      },
    );
    laterConversationId = created.body.conversation.id;
    await api(server.url, smith.token).post(
      `/api/conversations/${created.body.conversation.id}/messages`,
      {
        text: 'Lab results are back',
      },
    );
    await expect.poll(() => electron.notifications.length, { timeout: 20_000 }).toBe(2);
    expect(electron.notifications[1]!.options).toMatchObject({ title: 'Dr. Sarah Smith' });
  });

  it('a clinicpulse:// link from a second launch (a Windows Action Center click) or from macOS opens the window at its target', async () => {
    expect(window.isVisible()).toBe(false);
    const hash = () =>
      page.evaluate(() => (globalThis as unknown as { location: { hash: string } }).location.hash);
    electron.emitAppEvent(
      'second-instance',
      [
        'C:\\Program Files\\ClinicPulse\\ClinicPulse.exe',
        `clinicpulse://conversation/${laterConversationId}`,
      ],
      'C:\\',
    );
    await expect.poll(hash).toBe(`#/conversations/${laterConversationId}`);
    expect(window.isVisible()).toBe(true);
    electron.emitAppEvent('open-url', 'clinicpulse://inbox');
    await expect.poll(hash).toMatch(/^#\/notifications/);
    // A link that is not one of ours only brings the window forward.
    electron.emitAppEvent('open-url', 'clinicpulse://settings/../../evil');
    electron.emitAppEvent('second-instance', ['clinicpulse'], '/');
    expect(await hash()).toMatch(/^#\/notifications/);
    expect(electron.violations).toEqual([]);
  });

  it("names the desk in Settings, which the sender's receipts then show; an urgent pop-up's Acknowledge link from a second launch (Windows' toast button) acknowledges as this desk without opening the window", async () => {
    await page.evaluate(() => {
      (globalThis as unknown as { location: { hash: string } }).location.hash = '#/settings';
    });
    const field = page.getByLabel('Desk name');
    await expect.poll(() => field.inputValue()).not.toBe('');
    await field.fill('Ward 3 PC');
    await page.getByRole('button', { name: 'Save name' }).click();
    await page.getByText('Desk name saved.').waitFor();

    const smith = api(server.url, (await login(server.url, 'dr.smith', DEMO_PASSWORD)).token);
    const before = electron.notifications.length;
    const sent = await smith.post<{ message: { alertId: number } }>(
      `/api/conversations/${laterConversationId}/messages`,
      { text: 'URGENT: Mr. Alvarez has fallen', priority: 'urgent' },
    );
    expect(sent.status).toBe(201);
    const alertId = sent.body.message.alertId;
    await expect.poll(() => electron.notifications.length, { timeout: 20_000 }).toBe(before + 1);
    const popup = electron.notifications[before]!;
    const status = async () =>
      (await smith.get<{ alert: AlertStatus }>(`/api/alerts/${alertId}`)).body.alert;
    await expect
      .poll(async () => (await status()).recipients[0]?.desks.map((desk) => desk.deskName), {
        timeout: 20_000,
      })
      .toEqual(['Ward 3 PC']);

    expect(window.close()).toBe(false);
    expect(window.isVisible()).toBe(false);
    // What the toast's Acknowledge button launches: the link signed with this desk's own key.
    const link = (await AcknowledgeLinks.load(userData())).linkFor(alertId);
    electron.emitAppEvent('second-instance', ['C:\\ClinicPulse\\ClinicPulse.exe', link], 'C:\\');
    await expect
      .poll(async () => (await status()).acknowledged, { timeout: 20_000 })
      .toMatchObject({ displayName: 'Dr. Raj Patel', deskName: 'Ward 3 PC' });
    await expect.poll(() => popup.closed, { timeout: 20_000 }).toBe(true);
    expect(window.isVisible()).toBe(false);
    expect(electron.violations).toEqual([]);
  });

  it('Copy diagnostics and Quit in the tray: no token or message text on the clipboard or on disk, and a clean exit', async () => {
    electron.trays[0]!.clickMenuItem('Copy diagnostics for IT');
    expect(electron.clipboard).toHaveLength(1);
    expect(electron.clipboard[0]).toContain('Signed in: dr.patel');
    expect(electron.clipboard[0]).toContain('Connection: connected');
    electron.trays[0]!.clickMenuItem('Quit ClinicPulse');
    await expect.poll(() => electron.exitCode).toBe(0);
    expect(window.isDestroyed()).toBe(true);
    expect(electron.violations).toEqual([]);

    const files = filesUnder(userData()).map((path) => relative(userData(), path));
    expect(files).toEqual(expect.arrayContaining(['session.json', 'logs/main.log']));
    expect(files.some((file) => file.startsWith('cursors/'))).toBe(true);
    const saved = JSON.parse(readFileSync(join(userData(), 'session.json'), 'utf8')) as {
      encryptedToken: string;
    };
    expect(saved).toMatchObject({
      encryptedToken: expect.any(String),
      user: { username: 'dr.patel' },
    });
    const token = electron.keyringDecrypt(Buffer.from(saved.encryptedToken, 'base64'));
    expect(token.length).toBeGreaterThan(20);
    expect(electron.clipboard[0]).not.toContain(token);
    expect(electron.clipboard[0]).not.toContain(PATIENT_TEXT);
    for (const file of files) {
      const text = readFileSync(join(userData(), file), 'utf8');
      expect(text, file).not.toContain(PATIENT_TEXT);
      expect(text, file).not.toContain('Lab results');
      expect(text, file).not.toContain(token);
    }
    const log = readFileSync(join(userData(), 'logs', 'main.log'), 'utf8');
    expect(log).toMatch(/INFO signed in as user \d+ on http:\/\/127\.0\.0\.1:\d+\n/);
    expect(log).toMatch(/INFO quit\n$/);
  });
});

describe('a start that fails (stand-in smoke test)', () => {
  it('is shown, logged, and ends the process instead of leaving it invisible', async () => {
    const work = mkdtempSync(join(tmpdir(), 'clinicpulse-stand-in-fail-'));
    const browser = await launchChromium();
    try {
      const built = await buildDesktop({ outDir: join(work, 'app') });
      const userData = join(work, 'user-data');
      // A settings file that cannot be read (here: a folder in its place).
      mkdirSync(join(userData, 'settings.json'), { recursive: true });
      const electron = new StandInElectron({
        browser,
        appPath: built.outDir,
        resourcesPath: work,
        userData,
      });
      const stop = runBundle(join(built.outDir, 'main.cjs'), electron, work);
      try {
        await expect.poll(() => electron.exitCode).toBe(1);
        expect(electron.errorBoxes).toEqual([
          { title: 'ClinicPulse could not start', content: expect.stringContaining('EISDIR') },
        ]);
        expect(readFileSync(join(userData, 'logs', 'main.log'), 'utf8')).toContain(
          'ERROR could not start',
        );
        expect(electron.windows).toEqual([]);
      } finally {
        stop();
        await electron.close();
      }
    } finally {
      await browser.close();
      rmSync(work, { recursive: true, force: true });
    }
  });
});
