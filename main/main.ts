import { join } from 'node:path';
import {
  app,
  nativeImage,
  net,
  powerMonitor,
  session,
  type BrowserWindow,
  type Session,
} from 'electron';
import { systemClock } from './clock.js';
import { DesktopCore } from './core/desktop-core.js';
import { pushToRenderer, registerIpcHandlers } from './ipc/ipc-handlers.js';
import { ElectronNotificationSink } from './notify/electron-notification-sink.js';
import type { NotificationSink } from './notify/native-notification.js';
import { OsDoNotDisturb } from './notify/os-do-not-disturb.js';
import { RecordingNotificationSink } from './notify/recording-notification-sink.js';
import { safeStorageCipher } from './session/safe-storage-cipher.js';
import { loadAppConfig, machineConfigPath } from './settings/app-config.js';
import { setLinuxAutostart } from './settings/linux-autostart.js';
import { NetworkWatch } from './stream/network-watch.js';
import { API_PARTITION, API_PARTITION_OPTIONS, privateFetch } from './stream/private-fetch.js';
import { installTestHooks, isTestMode } from './test-mode.js';
import { AppTray } from './tray/app-tray.js';
import { registerAppScheme, serveAppFiles } from './window/app-protocol.js';
import { createMainWindow } from './window/main-window.js';

/**
 * Lifecycle only: everything that decides anything lives in DesktopCore and the modules under
 * it, which run and are tested under plain Node. This file connects them to Electron.
 */
const APP_ID = 'org.clinicpulse.desktop';
const testMode = isTestMode(process.env);
const startHidden = process.argv.includes('--hidden');

// Tests and IT scripts may point the app at its own data directory.
const userDataOverride = process.env.CLINICPULSE_USER_DATA_DIR;
if (userDataOverride) app.setPath('userData', userDataOverride);
// Windows shows notifications only for an app with an AppUserModelId matching its shortcut.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
registerAppScheme();

let mainWindow: BrowserWindow | null = null;
let quitting = false;
let shutDown = false;

if (!app.requestSingleInstanceLock()) {
  // A second launch hands over to the first (which shows its window) and exits.
  app.quit();
} else {
  app.on('second-instance', () => showWindow());
  void app.whenReady().then(start);
}

function showWindow(): void {
  if (!mainWindow) return;
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function start(): Promise<void> {
  const appPath = app.getAppPath();
  const icon = nativeImage.createFromPath(join(appPath, 'assets', 'icon.png'));
  const trayIcon = nativeImage.createFromPath(join(appPath, 'assets', 'tray.png'));
  const apiSession = session.fromPartition(API_PARTITION, API_PARTITION_OPTIONS);
  lockDownSession(session.defaultSession);
  lockDownSession(apiSession);
  serveAppFiles(join(appPath, 'renderer'));

  const appConfig = await loadAppConfig({
    env: process.env,
    files: [
      machineConfigPath(process.platform, process.env),
      join(process.resourcesPath, 'app-config.json'),
    ],
  });
  const recording = testMode ? new RecordingNotificationSink() : null;
  const sink: NotificationSink =
    recording ?? new ElectronNotificationSink(icon.isEmpty() ? undefined : icon);
  const osDoNotDisturb = new OsDoNotDisturb(process.platform, systemClock);
  const core = new DesktopCore({
    dataDirectory: app.getPath('userData'),
    fetch: privateFetch((url, init) => apiSession.fetch(url, init)),
    sink,
    cipher: safeStorageCipher,
    platform: process.platform,
    appConfig,
    osDoNotDisturb: () => osDoNotDisturb.isActive(),
    log: (level, message) => console[level](`[clinicpulse] ${message}`),
  });
  registerIpcHandlers(core, () =>
    mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents.id : null,
  );

  let badgeCount = 0;
  let trayTooltip: string | null = null;
  const tray = new AppTray(trayIcon.isEmpty() ? icon : trayIcon, {
    open: showWindow,
    setDoNotDisturb: (enabled) => void core.updateSettings({ doNotDisturb: enabled }),
    quit: () => {
      quitting = true;
      app.quit();
    },
  });
  const refreshTray = () => {
    const state = core.state();
    trayTooltip = tray.update({
      unreadCount: state.unreadCount,
      doNotDisturb: state.settings.doNotDisturb,
      connection: state.connection.status,
      signedIn: state.session !== null,
    }).tooltip;
  };
  const setBadge = (count: number) => {
    badgeCount = count;
    // macOS dock and Unity launchers; Windows has no badge API here, the tray tooltip says it.
    app.setBadgeCount(count);
  };
  let startAtLogin: boolean | null = null;
  const applyStartAtLogin = async (enabled: boolean) => {
    if (enabled === startAtLogin || testMode) return;
    startAtLogin = enabled;
    if (process.platform === 'linux') {
      await setLinuxAutostart(
        app.getPath('appData'),
        process.env.APPIMAGE ?? process.execPath,
        enabled,
      ).catch((error: unknown) => console.warn(`[clinicpulse] start at login: ${String(error)}`));
    } else {
      app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    }
  };

  core.subscribe({
    event: (event) => pushToRenderer(mainWindow, 'onEvent', event),
    connectionState: (state) => {
      pushToRenderer(mainWindow, 'onConnectionState', state);
      refreshTray();
    },
    unreadCount: (count) => {
      setBadge(count);
      pushToRenderer(mainWindow, 'onUnreadCount', count);
      refreshTray();
    },
    notificationClick: (target) => {
      showWindow();
      pushToRenderer(mainWindow, 'onNotificationClick', target);
    },
    stateChanged: (state) => {
      refreshTray();
      void applyStartAtLogin(state.settings.startAtLogin);
    },
  });

  if (recording) {
    installTestHooks({
      notifications: () => [...recording.shown],
      clickNotification: (index) => recording.click(index),
      badgeCount: () => badgeCount,
      trayTooltip: () => trayTooltip,
      state: () => core.state(),
    });
  }

  const initial = await core.init();
  setBadge(initial.unreadCount);
  refreshTray();
  void applyStartAtLogin(initial.settings.startAtLogin);

  mainWindow = createMainWindow({
    preloadPath: join(appPath, 'preload.cjs'),
    icon: icon.isEmpty() ? undefined : icon,
    serverOrigin: () => core.state().serverUrl,
    hidden: startHidden,
    devTools: !app.isPackaged,
  });
  mainWindow.on('focus', () => core.setWindowFocused(true));
  mainWindow.on('blur', () => core.setWindowFocused(false));
  mainWindow.on('hide', () => core.setWindowFocused(false));
  mainWindow.on('close', (event) => {
    // Close means "to the tray": the stream and its pop-ups keep running until Quit.
    if (!quitting && core.settings.closeToTray) {
      event.preventDefault();
      mainWindow?.hide();
    }
  });

  powerMonitor.on('resume', () => core.resumed());
  powerMonitor.on('unlock-screen', () => core.resumed());
  const network = new NetworkWatch(
    () => net.isOnline(),
    systemClock,
    (online) => core.networkChanged(online),
  );
  network.start();

  app.on('activate', showWindow);
  app.on('before-quit', () => {
    quitting = true;
  });
  app.on('window-all-closed', () => {
    if (!core.settings.closeToTray) app.quit();
  });
  app.on('will-quit', (event) => {
    if (shutDown) return;
    // Show what waits in the burst window and leave the cursor on disk, then really quit.
    event.preventDefault();
    network.stop();
    void core.shutdown().finally(() => {
      shutDown = true;
      tray.destroy();
      app.quit();
    });
  });
}

/** The page gets no permissions at all (camera, notifications, geolocation…): main notifies. */
function lockDownSession(target: Session): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
}
