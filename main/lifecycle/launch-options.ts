import { targetFromArgv } from '../notify/notification-link.js';
import type { NotificationTarget } from '../../common/desktop-bridge.js';

export interface LaunchOptions {
  /** Start in the tray only: launched at login. */
  hidden: boolean;
  /** A `clinicpulse://` link the app was launched with (Windows toast, Linux desktop file). */
  target: NotificationTarget | null;
}

/**
 * How this launch was meant. Windows and Linux start at login with `--hidden` (the login item's
 * args, the autostart entry's Exec); macOS passes no arguments to a login item, so there the
 * OS's own `wasOpenedAtLogin` says it. A launch that carries a link opens the window at it.
 */
export function launchOptions(
  argv: readonly string[],
  platform: NodeJS.Platform,
  openedAtLogin: () => boolean,
): LaunchOptions {
  const target = targetFromArgv(argv);
  const atLogin = argv.includes('--hidden') || (platform === 'darwin' && openedAtLogin());
  return { hidden: atLogin && target === null, target };
}
