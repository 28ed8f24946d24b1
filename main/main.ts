import { join } from 'node:path';
import { app, crashReporter, dialog } from 'electron';
import { startDesktopApp, type RunningDesktop } from './desktop-app.js';
import { launchOptions } from './lifecycle/launch-options.js';
import { AppLog } from './log/app-log.js';
import {
  LINK_SCHEME,
  linkFromArgv,
  parseLink,
  type NotificationLink,
} from './notify/notification-link.js';
import { isTestMode } from './test-mode.js';
import { registerAppScheme } from './window/app-protocol.js';

/**
 * The entry point: what must happen before Electron is ready (paths, crash reports, the app's
 * URL scheme, the single-instance lock, links from the OS), then desktop-app.ts. A start that
 * fails is shown, logged and ends the process, so it never lingers invisibly holding the lock
 * that makes every later launch exit at once.
 */
const APP_ID = 'org.clinicpulse.desktop';

// Tests and IT scripts may point the app at its own data directory.
const userDataOverride = process.env.CLINICPULSE_USER_DATA_DIR;
if (userDataOverride) app.setPath('userData', userDataOverride);
// Crash reports stay on this computer, in app.getPath('crashDumps'), for IT to collect.
crashReporter.start({ uploadToServer: false });
// Windows shows notifications only for an app with an AppUserModelId matching its shortcut.
if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
registerAppScheme();

const log = new AppLog({ directory: join(app.getPath('userData'), 'logs') });
process.on('unhandledRejection', (reason) =>
  log.write('error', `unhandled rejection: ${describe(reason)}`),
);

if (!app.requestSingleInstanceLock()) {
  // A second launch hands its arguments (a clicked toast's link) to the first and exits.
  app.quit();
} else {
  const launch = launchOptions(
    process.argv,
    process.platform,
    () => app.getLoginItemSettings().wasOpenedAtLogin,
  );
  let desktop: RunningDesktop | null = null;
  const pending: NotificationLink[] = [];
  const open = (link: NotificationLink) => (desktop ? desktop.openLink(link) : pending.push(link));
  if (app.isPackaged) registerLinkScheme();
  // macOS delivers a clicked link here, also the one that launched the app (before `ready`).
  app.on('open-url', (event, url) => {
    event.preventDefault();
    const link = parseLink(url);
    if (link) open(link);
  });
  // Windows and Linux start a second instance with the link in its argv.
  app.on('second-instance', (_event, argv) => {
    const link = linkFromArgv(argv);
    if (link) open(link);
    else desktop?.showWindow();
  });
  app
    .whenReady()
    .then(() => startDesktopApp({ log, launch, testMode: isTestMode(process.env, app.isPackaged) }))
    .then((running) => {
      desktop = running;
      for (const link of pending.splice(0)) running.openLink(link);
    })
    .catch(startFailed);
}

/** `clinicpulse://` opens this app: the Windows registry (the deb's and the Mac's are static). */
function registerLinkScheme(): void {
  if (!app.isDefaultProtocolClient(LINK_SCHEME) && !app.setAsDefaultProtocolClient(LINK_SCHEME))
    log.write(
      'warn',
      `could not register ${LINK_SCHEME}:// links; pop-up clicks in the Action Center will not open the app`,
    );
}

function startFailed(error: unknown): void {
  log.write('error', `could not start: ${describe(error)}`);
  try {
    dialog.showErrorBox(
      'ClinicPulse could not start',
      `${error instanceof Error ? error.message : String(error)}\n\nDetails are in ${log.path}. Start ClinicPulse again, or give that file to your IT team.`,
    );
  } finally {
    // exit, not quit: nothing was set up to shut down, and the lock must go with the process.
    app.exit(1);
  }
}

function describe(value: unknown): string {
  return value instanceof Error ? (value.stack ?? value.message) : String(value);
}
