import { release } from 'node:os';
import { join } from 'node:path';
import {
  app,
  autoUpdater as electronAutoUpdater,
  clipboard,
  nativeImage,
  net,
  powerMonitor,
  session,
  type BrowserWindow,
  type NativeImage,
  type Session,
} from 'electron';
import { autoUpdater } from 'electron-updater';
import type { NotificationTarget } from '../common/desktop-bridge.js';
import { isDoNotDisturbOn } from '../common/do-not-disturb.js';
import { systemClock } from './clock.js';
import { DesktopCore } from './core/desktop-core.js';
import { pushToRenderer, registerIpcHandlers } from './ipc/ipc-handlers.js';
import type { LaunchOptions } from './lifecycle/launch-options.js';
import { DEFAULT_QUIT_TIMEOUT_MS, QuitSequence } from './lifecycle/quit-sequence.js';
import type { AppLog } from './log/app-log.js';
import { diagnosticsReport } from './log/diagnostics.js';
import { AcknowledgeLinks } from './notify/acknowledge-links.js';
import { ElectronNotificationSink } from './notify/electron-notification-sink.js';
import type { NotificationLink } from './notify/notification-link.js';
import { openNotificationLink } from './notify/open-notification-link.js';
import { OsDoNotDisturb, runCommand } from './notify/os-do-not-disturb.js';
import { RecordingNotificationSink } from './notify/recording-notification-sink.js';
import { safeStorageCipher } from './session/safe-storage-cipher.js';
import { loadAppConfig, machineConfigPath } from './settings/app-config.js';
import { setLinuxAutostart } from './settings/linux-autostart.js';
import { NetworkWatch } from './stream/network-watch.js';
import { API_PARTITION, API_PARTITION_OPTIONS, privateFetch } from './stream/private-fetch.js';
import { installTestHooks } from './test-mode.js';
import { AppTray } from './tray/app-tray.js';
import { trayIsVisible } from './tray/tray-host.js';
import { unreadLabel } from './tray/tray-model.js';
import { DeskUpdater } from './update/desk-updater.js';
import { serveAppFiles } from './window/app-protocol.js';
import { windowCloseAction } from './window/close-action.js';
import { createMainWindow } from './window/main-window.js';
import { RendererRecovery } from './window/renderer-recovery.js';

export interface RunningDesktop {
  showWindow(): void;
  /** What a `clinicpulse://` link asks: the window at a target, or a toast's Acknowledge. */
  openLink(link: NotificationLink): void;
}

export interface DesktopAppOptions {
  log: AppLog;
  launch: LaunchOptions;
  testMode: boolean;
}

/**
 * The app once Electron is ready: DesktopCore (everything that decides, tested under Node)
 * connected to the window, the tray, pop-ups, badges, power and network events, updates and
 * quitting. Nothing here decides anything that a plain module could.
 */
export async function startDesktopApp(options: DesktopAppOptions): Promise<RunningDesktop> {
  const { log, launch, testMode } = options;
  const appPath = app.getAppPath();
  const image = (name: string): NativeImage =>
    nativeImage.createFromPath(join(appPath, 'assets', name));
  const icon = image('icon.png');
  const trayImages = {
    normal: orElse(image('tray.png'), icon),
    unread: orElse(image('tray-unread.png'), icon),
  };
  const overlay = image('unread-overlay.png');

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
  log.write(
    'info',
    `ClinicPulse ${app.getVersion()} starting (Electron ${process.versions.electron}, ${process.platform} ${release()}); server preset: ${appConfig.serverUrl ?? 'none'}${appConfig.source ? ` from ${appConfig.source}` : ''}`,
  );
  const acknowledgeLinks = await AcknowledgeLinks.load(app.getPath('userData'));
  const recording = testMode ? new RecordingNotificationSink() : null;
  const electronSink = recording
    ? null
    : new ElectronNotificationSink(icon.isEmpty() ? undefined : icon, process.platform, (alertId) =>
        acknowledgeLinks.linkFor(alertId),
      );
  const osDoNotDisturb = new OsDoNotDisturb(process.platform, systemClock);
  const core = new DesktopCore({
    dataDirectory: app.getPath('userData'),
    fetch: privateFetch((url, init) => apiSession.fetch(url, init)),
    sink: recording ?? electronSink!,
    cipher: safeStorageCipher,
    platform: process.platform,
    appConfig,
    osDoNotDisturb: () => osDoNotDisturb.isActive(),
    systemIdleMs: () => powerMonitor.getSystemIdleTime() * 1000,
    log: (level, message) => log.write(level, message),
  });

  let mainWindow: BrowserWindow | null = null;
  const windowContents = () =>
    mainWindow && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
  registerIpcHandlers(core, () => windowContents()?.id ?? null);

  const showWindow = () => {
    if (!mainWindow || mainWindow.isDestroyed()) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.show();
    mainWindow.focus();
  };
  const open = (target: NotificationTarget) => {
    showWindow();
    const contents = windowContents();
    if (!contents) return;
    // A link that launched the app arrives before the page has loaded and subscribed.
    if (contents.isLoading())
      contents.once('did-finish-load', () =>
        pushToRenderer(mainWindow, 'onNotificationClick', target),
      );
    else pushToRenderer(mainWindow, 'onNotificationClick', target);
  };

  const updates =
    appConfig.updateUrl && app.isPackaged && !testMode
      ? new DeskUpdater({
          updater: withLogger(autoUpdater, log),
          feedUrl: appConfig.updateUrl,
          clock: systemClock,
          urgentAlertOnScreen: () => electronSink?.urgentOnScreen() ?? false,
          onStatus: () => refreshTray(),
          log: (level, message) => log.write(level, message),
        })
      : null;
  if (!updates)
    log.write(
      'info',
      `updates are off: ${!appConfig.updateUrl ? 'no update URL is set (CLINICPULSE_UPDATE_URL or updateUrl in app-config.json)' : 'not an installed build'}`,
    );

  const quit = new QuitSequence({
    shutdown: async () => {
      network.stop();
      updates?.stop();
      await core.shutdown();
    },
    finish: (how) => {
      log.write('info', how === 'clean' ? 'quit' : 'quit without a clean shutdown');
      tray.destroy();
      if (how === 'clean') app.quit();
      else app.exit(0);
    },
    clock: systemClock,
    timeoutMs: DEFAULT_QUIT_TIMEOUT_MS,
    log: (level, message) => log.write(level, message),
  });

  let badgeCount = 0;
  let trayTooltip: string | null = null;
  const tray = new AppTray(trayImages, {
    open: showWindow,
    // From the tray: on until turned off (an end time set in the window no longer applies).
    setDoNotDisturb: (enabled) =>
      void core.updateSettings({ doNotDisturb: enabled, doNotDisturbUntil: null }),
    copyDiagnostics: () => {
      clipboard.writeText(
        diagnosticsReport({
          appVersion: app.getVersion(),
          versions: process.versions,
          platform: process.platform,
          osRelease: release(),
          packaged: app.isPackaged,
          state: core.state(),
          updates: updates
            ? JSON.stringify(updates.status)
            : `off (${appConfig.updateUrl ? 'not an installed build' : 'no update URL set'})`,
          paths: {
            userData: app.getPath('userData'),
            logs: join(app.getPath('userData'), 'logs'),
            crashDumps: app.getPath('crashDumps'),
          },
          logTail: log.tail(),
          now: new Date(),
        }),
      );
      log.write('info', 'diagnostics copied to the clipboard');
    },
    installUpdate: () => {
      const result = updates?.restartToInstall() ?? 'nothing_to_install';
      log.write('info', `restart to update: ${result}`);
    },
    quit: () => app.quit(),
  });
  const refreshTray = () => {
    const state = core.state();
    const update = updates?.status;
    trayTooltip = tray.update({
      unreadCount: state.unreadCount,
      doNotDisturb: isDoNotDisturbOn(state.settings, new Date()),
      connection: state.connection.status,
      signedIn: state.session !== null,
      updateReady: update?.status === 'ready' ? update.version : null,
    }).tooltip;
  };
  const setBadge = (count: number) => {
    badgeCount = count;
    // macOS dock and Linux launchers that follow the desktop file (Unity, Dash to Dock).
    app.setBadgeCount(count);
    // Windows has no badge: the taskbar button gets an overlay dot instead.
    if (process.platform === 'win32' && mainWindow && !mainWindow.isDestroyed())
      mainWindow.setOverlayIcon(
        count > 0 && !overlay.isEmpty() ? overlay : null,
        unreadLabel(count),
      );
  };
  let startAtLogin: boolean | null = null;
  const applyStartAtLogin = async (enabled: boolean) => {
    if (enabled === startAtLogin || testMode) return;
    startAtLogin = enabled;
    if (process.platform === 'linux') {
      await setLinuxAutostart(app.getPath('appData'), process.execPath, enabled).catch(
        (error: unknown) => log.write('warn', `start at login: ${String(error)}`),
      );
    } else {
      // `args` reach Windows only; macOS says so through wasOpenedAtLogin (launch-options.ts).
      app.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    }
  };

  let lastStatus: string | null = null;
  core.subscribe({
    event: (event) => pushToRenderer(mainWindow, 'onEvent', event),
    connectionState: (state) => {
      if (state.status !== lastStatus) {
        lastStatus = state.status;
        log.write('info', `connection ${state.status}${state.detail ? `: ${state.detail}` : ''}`);
      }
      pushToRenderer(mainWindow, 'onConnectionState', state);
      refreshTray();
    },
    unreadCount: (count) => {
      setBadge(count);
      pushToRenderer(mainWindow, 'onUnreadCount', count);
      refreshTray();
    },
    notificationClick: open,
    stateChanged: (state) => {
      pushToRenderer(mainWindow, 'onState', state);
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
  log.write(
    'info',
    initial.session
      ? `resumed the session of user ${initial.session.user.id} on ${initial.session.serverUrl}`
      : `signed out${initial.notice ? ` (${initial.notice})` : ''}`,
  );
  refreshTray();
  void applyStartAtLogin(initial.settings.startAtLogin);

  const trayVisible = await trayIsVisible(process.platform, process.env, runCommand);
  if (!trayVisible)
    log.write('info', 'no tray on this desktop: closing the window minimises it instead');
  mainWindow = createMainWindow({
    preloadPath: join(appPath, 'preload.cjs'),
    icon: icon.isEmpty() ? undefined : icon,
    serverOrigin: () => core.state().serverUrl,
    hidden: launch.hidden,
    devTools: !app.isPackaged,
  });
  setBadge(initial.unreadCount);
  const window = mainWindow;
  window.on('focus', () => core.setWindowFocused(true));
  window.on('blur', () => core.setWindowFocused(false));
  window.on('hide', () => core.setWindowFocused(false));
  window.on('minimize', () => core.setWindowFocused(false));
  let quitRequested = false;
  window.on('close', (event) => {
    const action = windowCloseAction({
      quitting: quitRequested || quit.quitting,
      closeToTray: core.settings.closeToTray,
      trayVisible,
    });
    if (action === 'close') return;
    // The stream and its pop-ups keep running until Quit.
    event.preventDefault();
    if (action === 'hide') window.hide();
    else window.minimize();
  });
  const recovery = new RendererRecovery({ clock: systemClock });
  window.webContents.on('render-process-gone', (_event, details) => {
    log.write(
      'error',
      `the window's page stopped: ${details.reason} (exit code ${details.exitCode})`,
    );
    if (recovery.shouldReload(details.reason)) window.webContents.reload();
  });
  const openLink = (link: NotificationLink) =>
    void openNotificationLink(link, {
      open,
      showWindow,
      acknowledge: (alertId) => core.acknowledge(alertId),
      acknowledgeLinks,
      log: (level, message) => log.write(level, message),
    });
  if (launch.link) openLink(launch.link);

  powerMonitor.on('resume', () => core.resumed());
  powerMonitor.on('unlock-screen', () => {
    core.screenLocked(false);
    core.resumed();
  });
  powerMonitor.on('lock-screen', () => core.screenLocked(true));
  const network = new NetworkWatch(
    () => net.isOnline(),
    systemClock,
    (online) => core.networkChanged(online),
  );
  network.start();
  updates?.start();

  app.on('activate', showWindow);
  // Electron closes the windows after `before-quit` and before `will-quit`; an update's
  // quitAndInstall closes them even before that. Either way closing is now really closing.
  app.on('before-quit', () => (quitRequested = true));
  if (updates) electronAutoUpdater.on('before-quit-for-update', () => (quitRequested = true));
  app.on('window-all-closed', () => {
    if (!core.settings.closeToTray) app.quit();
  });
  app.on('will-quit', (event) => {
    if (quit.willQuit()) event.preventDefault();
  });

  return { showWindow, openLink };
}

/** The page gets no permissions at all (camera, notifications, geolocation…): main notifies. */
function lockDownSession(target: Session): void {
  target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  target.setPermissionCheckHandler(() => false);
}

function orElse(image: NativeImage, fallback: NativeImage): NativeImage {
  return image.isEmpty() ? fallback : image;
}

function withLogger(updater: typeof autoUpdater, log: AppLog): typeof autoUpdater {
  updater.logger = {
    info: (message?: unknown) => log.write('info', `updater: ${String(message)}`),
    warn: (message?: unknown) => log.write('warn', `updater: ${String(message)}`),
    error: (message?: unknown) => log.write('error', `updater: ${String(message)}`),
  };
  return updater;
}
