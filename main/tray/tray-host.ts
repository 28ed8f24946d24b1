import type { CommandRunner } from '../notify/os-do-not-disturb.js';

/**
 * Whether a tray icon will be seen. On Linux, Electron's tray is a StatusNotifierItem, shown
 * only where a host watches for one (KDE, Ubuntu's AppIndicator extension, XFCE, Cinnamon…);
 * stock GNOME has none, and there the icon, with its Open and Quit, simply does not exist. Only
 * GNOME without a watcher counts as "no tray": elsewhere an old-style system tray may still
 * show it, and a wrong "no" would only make closing minimise.
 */
export async function trayIsVisible(
  platform: NodeJS.Platform,
  env: NodeJS.ProcessEnv,
  run: CommandRunner,
): Promise<boolean> {
  if (platform !== 'linux') return true;
  const desktop = (env.XDG_CURRENT_DESKTOP ?? '').toUpperCase();
  if (!desktop.split(':').includes('GNOME')) return true;
  try {
    const answer = await run('gdbus', [
      'call',
      '--session',
      '--dest',
      'org.freedesktop.DBus',
      '--object-path',
      '/org/freedesktop/DBus',
      '--method',
      'org.freedesktop.DBus.NameHasOwner',
      'org.kde.StatusNotifierWatcher',
    ]);
    return answer.includes('true');
  } catch {
    return true;
  }
}
