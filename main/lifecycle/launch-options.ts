import { linkFromArgv, type NotificationLink } from '../notify/notification-link.js';

export interface LaunchOptions {
  /** Start in the tray only: launched at login, or to acknowledge from a toast. */
  hidden: boolean;
  /** A `clinicpulse://` link the app was launched with (Windows toast, Linux desktop file). */
  link: NotificationLink | null;
}

/**
 * How this launch was meant. Windows and Linux start at login with `--hidden` (the login item's
 * args, the autostart entry's Exec); macOS passes no arguments to a login item, so there the
 * OS's own `wasOpenedAtLogin` says it. A launch that carries a link to open opens the window at
 * it; one that acknowledges (a toast's button while the app was closed) stays in the tray.
 */
export function launchOptions(
  argv: readonly string[],
  platform: NodeJS.Platform,
  openedAtLogin: () => boolean,
): LaunchOptions {
  const link = linkFromArgv(argv);
  const atLogin = argv.includes('--hidden') || (platform === 'darwin' && openedAtLogin());
  return { hidden: link ? link.kind === 'acknowledge' : atLogin, link };
}
