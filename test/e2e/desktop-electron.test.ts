import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationResponse } from '../../common/api.js';
import type { DesktopBridge } from '../../common/desktop-bridge.js';
import type { ClinicPulseTestHooks } from '../../main/test-mode.js';
import { buildDesktop } from '../../scripts/build-desktop.js';
import { electronBinary, hasDisplay } from '../../scripts/desktop-launch.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import {
  DEMO_PASSWORD,
  api,
  login,
  startTestServer,
  type TestServer,
} from '../support/test-server.js';

/**
 * The real desktop app under Playwright's `_electron`: its own user data directory, test mode
 * (pop-ups go to a recording sink the test reads in the main process), the real preload, IPC,
 * stream and notifier. Runs wherever an Electron binary and a display exist; elsewhere it is
 * reported as skipped, with the reason printed.
 */
const binary = electronBinary();
const skipReason = !binary
  ? 'no Electron binary (node_modules/electron/dist is missing and ELECTRON_OVERRIDE_DIST_PATH is unset)'
  : !hasDisplay()
    ? 'no display (DISPLAY and WAYLAND_DISPLAY are unset; try xvfb-run)'
    : null;
if (skipReason) console.log(`[desktop-electron] SKIPPED: ${skipReason}`);

type PageGlobals = {
  clinicPulse: DesktopBridge;
  location: { hash: string };
  require?: unknown;
  process?: unknown;
};
type MainGlobals = { __clinicPulseTest: ClinicPulseTestHooks };

describe.skipIf(skipReason !== null)('desktop app in a real Electron', () => {
  let redis: TestRedis;
  let server: TestServer;
  let work: string;
  let app: ElectronApplication;
  let page: Page;

  const hooks = <T>(read: (hooks: ClinicPulseTestHooks) => T): Promise<T> =>
    app.evaluate((_electron, source) => {
      const run = new Function('hooks', `return (${source})(hooks)`) as (
        hooks: ClinicPulseTestHooks,
      ) => T;
      return run((globalThis as unknown as MainGlobals).__clinicPulseTest);
    }, read.toString());

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'clinicpulse-electron-'));
    const built = await buildDesktop({ outDir: join(work, 'app') });
    redis = await startTestRedis();
    server = await startTestServer({ redisUrl: redis.url });
    app = await _electron.launch({
      executablePath: binary!,
      // Chromium's sandbox cannot start as root (CI containers); the page's sandbox flag still applies.
      args: [...(process.getuid?.() === 0 ? ['--no-sandbox'] : []), built.outDir],
      env: {
        ...process.env,
        CLINICPULSE_TEST_MODE: '1',
        CLINICPULSE_USER_DATA_DIR: join(work, 'user-data'),
        CLINICPULSE_SERVER_URL: server.url,
      },
    });
    page = await app.firstWindow();
  });

  afterAll(async () => {
    await app?.close();
    await server?.close();
    await redis?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('exposes only the named bridge to a page without Node', async () => {
    const exposed = await page.evaluate(() => {
      const globals = globalThis as unknown as PageGlobals;
      return {
        methods: Object.keys(globals.clinicPulse).sort(),
        require: typeof globals.require,
        process: typeof globals.process,
      };
    });
    expect(exposed).toEqual({
      methods: [
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
        'updateSettings',
      ],
      require: 'undefined',
      process: 'undefined',
    });
    expect((await hooks((h) => h.state())).serverUrl).toBe(server.url);
  });

  it('signs in, raises exactly one notification for a message from another user, shows badge 1, and a click opens the conversation', async () => {
    // Signed in through the window's own form, as staff would.
    page.setDefaultTimeout(20_000);
    await page.getByLabel('Clinic server address').fill(server.url);
    await page.getByLabel('Username').fill('dr.patel');
    await page.getByLabel('Password').fill(DEMO_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('signed-in-user').waitFor({ state: 'attached' });
    await expect
      .poll(() => hooks((h) => h.state().connection.status), { timeout: 20_000 })
      .toBe('connected');

    const lee = await login(server.url, 'frontdesk.lee', 'clinicpulse');
    const patelId = (await hooks((h) => h.state().session?.user.id)) as number;
    const created = await api(server.url, lee.token).post<ConversationResponse>(
      '/api/conversations',
      { participantIds: [patelId] },
    );
    const conversationId = created.body.conversation.id;
    const sent = await api(server.url, lee.token).post(
      `/api/conversations/${conversationId}/messages`,
      { text: 'Mr. Alvarez is in room 2' },
    );
    expect(sent.status).toBe(201);

    await expect.poll(() => hooks((h) => h.notifications().length), { timeout: 20_000 }).toBe(1);
    const [shown] = await hooks((h) => h.notifications());
    expect(shown).toMatchObject({
      kind: 'single',
      title: 'Mia Lee',
      body: 'New message',
      target: { kind: 'conversation', conversationId: String(conversationId) },
    });
    expect(await hooks((h) => h.badgeCount())).toBe(1);
    expect(await hooks((h) => h.trayTooltip())).toContain('1 unread notification');

    await hooks((h) => h.clickNotification(0));
    await expect
      .poll(() => page.evaluate(() => (globalThis as unknown as PageGlobals).location.hash))
      .toBe(`#/conversations/${conversationId}`);
    expect(await hooks((h) => h.notifications().length)).toBe(1);
  });
});
