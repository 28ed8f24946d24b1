import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import { OsDoNotDisturb } from '../../main/notify/os-do-not-disturb.js';
import { SessionStore } from '../../main/session/session-store.js';
import { loadAppConfig, machineConfigPath } from '../../main/settings/app-config.js';
import { autostartEntry, setLinuxAutostart } from '../../main/settings/linux-autostart.js';
import { SettingsStore } from '../../main/settings/settings-store.js';
import { NetworkWatch } from '../../main/stream/network-watch.js';
import { trayIsVisible } from '../../main/tray/tray-host.js';
import { trayModel } from '../../main/tray/tray-model.js';
import { windowCloseAction } from '../../main/window/close-action.js';
import { ManualClock } from './support/manual-clock.js';
import { basicTextCipher, keyringCipher } from './support/test-ciphers.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinicpulse-settings-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('settings store', () => {
  it('defaults to sender-only previews and persists changes', async () => {
    const store = new SettingsStore(join(dir, 'settings.json'));
    expect(await store.load()).toEqual(DEFAULT_DESKTOP_SETTINGS);
    await store.update({
      doNotDisturb: true,
      quietHours: { enabled: true, start: '22:00', end: '07:00' },
    });
    const reloaded = await new SettingsStore(join(dir, 'settings.json')).load();
    expect(reloaded).toMatchObject({
      previewLevel: 'sender_only',
      doNotDisturb: true,
      quietHours: { enabled: true },
    });
  });

  it('a damaged field falls back to its default, not to a wider preview', async () => {
    writeFileSync(
      join(dir, 'settings.json'),
      JSON.stringify({ previewLevel: 'everything', sound: false, quietHours: { enabled: true } }),
    );
    expect(await new SettingsStore(join(dir, 'settings.json')).load()).toEqual({
      ...DEFAULT_DESKTOP_SETTINGS,
      sound: false,
    });
    writeFileSync(join(dir, 'settings.json'), 'not json');
    expect(await new SettingsStore(join(dir, 'settings.json')).load()).toEqual(
      DEFAULT_DESKTOP_SETTINGS,
    );
  });

  it('refuses an invalid patch and keeps the old settings', async () => {
    const store = new SettingsStore(join(dir, 'settings.json'));
    await store.load();
    await expect(
      store.update({ quietHours: { enabled: true, start: '25:00', end: '07:00' } }),
    ).rejects.toThrow();
    expect(store.settings).toEqual(DEFAULT_DESKTOP_SETTINGS);
  });
});

describe('app config preset by IT', () => {
  it('takes the environment first, then the machine-wide file, then the installer file', async () => {
    const machine = join(dir, 'machine.json');
    const bundled = join(dir, 'bundled.json');
    writeFileSync(
      bundled,
      JSON.stringify({ serverUrl: 'https://bundled.clinic.example/some/path' }),
    );
    expect(await loadAppConfig({ env: {}, files: [machine, bundled] })).toEqual({
      serverUrl: 'https://bundled.clinic.example',
      source: bundled,
      updateUrl: null,
    });
    writeFileSync(machine, JSON.stringify({ serverUrl: 'https://machine.clinic.example' }));
    expect((await loadAppConfig({ env: {}, files: [machine, bundled] })).serverUrl).toBe(
      'https://machine.clinic.example',
    );
    expect(
      await loadAppConfig({
        env: { CLINICPULSE_SERVER_URL: 'http://127.0.0.1:5000' },
        files: [machine, bundled],
      }),
    ).toEqual({
      serverUrl: 'http://127.0.0.1:5000',
      source: 'CLINICPULSE_SERVER_URL',
      updateUrl: null,
    });
  });

  it('finds the update folder on its own: the environment, else the first file that names one', async () => {
    const machine = join(dir, 'machine.json');
    const bundled = join(dir, 'bundled.json');
    writeFileSync(machine, JSON.stringify({ serverUrl: 'https://machine.clinic.example' }));
    writeFileSync(
      bundled,
      JSON.stringify({ updateUrl: 'https://clinicpulse.clinic.example/desktop-updates' }),
    );
    expect(await loadAppConfig({ env: {}, files: [machine, bundled] })).toMatchObject({
      serverUrl: 'https://machine.clinic.example',
      updateUrl: 'https://clinicpulse.clinic.example/desktop-updates',
    });
    expect(
      (
        await loadAppConfig({
          env: {
            CLINICPULSE_UPDATE_URL: 'http://10.0.0.5/updates',
            CLINICPULSE_SERVER_URL: 'ftp://x',
          },
          files: [machine, bundled],
        })
      ).updateUrl,
    ).toBe('http://10.0.0.5/updates');
  });

  it('ignores files that are not a valid http(s) URL', async () => {
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ serverUrl: 'javascript:alert(1)' }));
    expect(
      await loadAppConfig({ env: { CLINICPULSE_SERVER_URL: 'ftp://x' }, files: [bad] }),
    ).toEqual({ serverUrl: null, source: null, updateUrl: null });
  });

  it('knows each OS machine-wide location', () => {
    expect(machineConfigPath('linux', {})).toBe('/etc/clinicpulse/app-config.json');
    expect(machineConfigPath('win32', { ProgramData: 'D:\\PD' })).toContain('ClinicPulse');
    expect(machineConfigPath('darwin', {})).toBe(
      '/Library/Application Support/ClinicPulse/app-config.json',
    );
  });
});

describe('session store', () => {
  const session = {
    serverUrl: 'https://clinic.example',
    user: {
      id: 3,
      username: 'dr.smith',
      displayName: 'Dr. Sarah Smith',
      role: 'clinician' as const,
    },
    token: 'tok-123',
    expiresAt: '2999-01-01T00:00:00Z',
  };

  it('keeps the token only encrypted and gives it back', async () => {
    const cipher = keyringCipher();
    const store = new SessionStore(join(dir, 'session.json'), cipher);
    expect(await store.save(session)).toBeNull();
    expect(readFileSync(join(dir, 'session.json'), 'utf8')).not.toContain('tok-123');
    expect(await store.load()).toMatchObject({
      token: 'tok-123',
      notice: null,
      user: { username: 'dr.smith' },
    });
    await store.clear();
    expect(await store.load()).toBeNull();
  });

  it('an expired or undecryptable token is not used', async () => {
    await new SessionStore(join(dir, 'session.json'), keyringCipher()).save({
      ...session,
      expiresAt: '2000-01-01T00:00:00Z',
    });
    expect(await new SessionStore(join(dir, 'session.json'), keyringCipher()).load()).toMatchObject(
      { token: null, notice: expect.stringContaining('expired') },
    );
    await new SessionStore(join(dir, 'session.json'), keyringCipher()).save(session);
    expect(await new SessionStore(join(dir, 'session.json'), keyringCipher()).load()).toMatchObject(
      { token: null, notice: expect.stringContaining('could not be read') },
    );
  });

  it('with the basic_text backend nothing secret is written and the reason is given', async () => {
    const store = new SessionStore(join(dir, 'session.json'), basicTextCipher('no keyring'));
    expect(await store.save(session)).toBe('no keyring');
    expect(readFileSync(join(dir, 'session.json'), 'utf8')).not.toContain('tok-123');
    expect(await store.load()).toMatchObject({
      token: null,
      notice: 'no keyring',
      serverUrl: 'https://clinic.example',
    });
  });
});

describe('tray', () => {
  it('shows the unread count in tooltip and menu, with Open, Do not disturb, Copy diagnostics and Quit', () => {
    const model = trayModel({
      unreadCount: 3,
      doNotDisturb: true,
      connection: 'connected',
      signedIn: true,
    });
    expect(model.tooltip).toBe('ClinicPulse — 3 unread notifications — do not disturb');
    expect(model.menu.map((item) => item.id)).toEqual([
      'open',
      'unread',
      'do-not-disturb',
      'copy-diagnostics',
      'separator',
      'quit',
    ]);
    expect(model.menu[1]).toMatchObject({ label: '3 unread notifications', enabled: false });
    expect(model.menu[2]).toMatchObject({ type: 'checkbox', checked: true });
    expect(
      trayModel({ unreadCount: 1, doNotDisturb: false, connection: 'reconnecting', signedIn: true })
        .tooltip,
    ).toBe('ClinicPulse — 1 unread notification — reconnecting…');
    expect(
      trayModel({ unreadCount: 0, doNotDisturb: false, connection: 'signed_out', signedIn: false })
        .tooltip,
    ).toBe('ClinicPulse — signed out');
    expect(
      trayModel({ unreadCount: 5000, doNotDisturb: false, connection: 'connected', signedIn: true })
        .tooltip,
    ).toContain('999+');
  });

  it('offers "Restart to update" once an update is downloaded', () => {
    const model = trayModel({
      unreadCount: 0,
      doNotDisturb: false,
      connection: 'connected',
      signedIn: true,
      updateReady: '0.2.0',
    });
    expect(model.menu.find((item) => item.id === 'install-update')).toMatchObject({
      label: 'Restart to update to 0.2.0',
    });
  });

  it('shows the tray image with a red dot while anything is unread (Windows has no badge)', () => {
    const image = (unreadCount: number, signedIn = true) =>
      trayModel({ unreadCount, doNotDisturb: false, connection: 'connected', signedIn }).image;
    expect([image(0), image(1), image(42), image(3, false)]).toEqual([
      'normal',
      'unread',
      'unread',
      'normal',
    ]);
  });

  it('closing the window hides it to the tray only where a tray icon can be seen', async () => {
    expect(windowCloseAction({ quitting: false, closeToTray: true, trayVisible: true })).toBe(
      'hide',
    );
    expect(windowCloseAction({ quitting: false, closeToTray: true, trayVisible: false })).toBe(
      'minimize',
    );
    expect(windowCloseAction({ quitting: false, closeToTray: false, trayVisible: true })).toBe(
      'close',
    );
    expect(windowCloseAction({ quitting: true, closeToTray: true, trayVisible: true })).toBe(
      'close',
    );

    const gnome = { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' };
    // Stands in for gdbus asking the session bus whether a StatusNotifier host is there.
    const bus = (answer: string) => async () => answer;
    expect(await trayIsVisible('linux', gnome, bus('(false,)\n'))).toBe(false);
    expect(await trayIsVisible('linux', gnome, bus('(true,)\n'))).toBe(true);
    expect(await trayIsVisible('linux', { XDG_CURRENT_DESKTOP: 'KDE' }, bus('(false,)\n'))).toBe(
      true,
    );
    expect(await trayIsVisible('win32', gnome, bus('(false,)\n'))).toBe(true);
    const noGdbus = async () => {
      throw new Error('spawn gdbus ENOENT');
    };
    expect(await trayIsVisible('linux', gnome, noGdbus)).toBe(true);
  });
});

describe('OS glue without Electron', () => {
  it('writes and removes the Linux autostart entry, quoting the path', async () => {
    expect(autostartEntry('/opt/Clinic Pulse/clinicpulse')).toContain(
      'Exec="/opt/Clinic Pulse/clinicpulse" --hidden',
    );
    await setLinuxAutostart(dir, '/usr/bin/clinicpulse', true);
    expect(readFileSync(join(dir, 'autostart', 'clinicpulse.desktop'), 'utf8')).toContain(
      'Exec=/usr/bin/clinicpulse --hidden',
    );
    await setLinuxAutostart(dir, '/usr/bin/clinicpulse', false);
    expect(() => readFileSync(join(dir, 'autostart', 'clinicpulse.desktop'))).toThrow();
  });

  it("reads GNOME's do-not-disturb, and reports false where it cannot be read", async () => {
    const clock = new ManualClock(0);
    let answer = 'false\n';
    const gnome = new OsDoNotDisturb('linux', clock, async (command, args) => {
      expect([command, ...args]).toEqual([
        'gsettings',
        'get',
        'org.gnome.desktop.notifications',
        'show-banners',
      ]);
      return answer;
    });
    expect(await gnome.refresh()).toBe(true);
    answer = 'true\n';
    expect(await gnome.refresh()).toBe(false);
    const missing = new OsDoNotDisturb('linux', clock, async () => {
      throw new Error('gsettings: not found');
    });
    expect(await missing.refresh()).toBe(false);
    expect(await new OsDoNotDisturb('win32', clock, async () => 'false').refresh()).toBe(false);
  });

  it('reports each change of the network, once', () => {
    const clock = new ManualClock(0);
    let online = true;
    const changes: boolean[] = [];
    const watch = new NetworkWatch(
      () => online,
      clock,
      (value) => changes.push(value),
      1_000,
    );
    watch.start();
    clock.advance(1_000);
    online = false;
    clock.advance(3_000);
    online = true;
    clock.advance(1_000);
    watch.stop();
    online = false;
    clock.advance(5_000);
    expect(changes).toEqual([false, true]);
  });
});
