import type { NotificationTarget } from '../../common/desktop-bridge.js';

/**
 * `clinicpulse://` links: what a Windows toast launches when it is clicked in the Action Center
 * (long after Electron's click callback is gone), and what macOS hands to `open-url`. The OS
 * starts the app (or a second instance that passes its argv to the first) with the link.
 */
export const LINK_SCHEME = 'clinicpulse';

const ID = /^[A-Za-z0-9_-]{1,64}$/;

export function linkForTarget(target: NotificationTarget): string {
  switch (target.kind) {
    case 'conversation':
      return `${LINK_SCHEME}://conversation/${encodeURIComponent(target.conversationId)}`;
    case 'appointment':
      return `${LINK_SCHEME}://appointment/${encodeURIComponent(target.appointmentId)}`;
    case 'inbox':
      return `${LINK_SCHEME}://inbox`;
  }
}

/** The target a link names, or null for anything else: links come from outside the app. */
export function targetFromLink(link: string): NotificationTarget | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${LINK_SCHEME}:` || url.search || url.hash || url.username) return null;
  const parts = url.pathname.split('/').filter((part) => part.length > 0);
  if (url.host === 'inbox' && parts.length === 0) return { kind: 'inbox' };
  if (parts.length !== 1 || !ID.test(parts[0]!)) return null;
  if (url.host === 'conversation') return { kind: 'conversation', conversationId: parts[0]! };
  if (url.host === 'appointment') return { kind: 'appointment', appointmentId: parts[0]! };
  return null;
}

/** The link among a launch's command-line arguments (Windows and Linux pass it there). */
export function targetFromArgv(argv: readonly string[]): NotificationTarget | null {
  for (const argument of argv) {
    if (!argument.toLowerCase().startsWith(`${LINK_SCHEME}:`)) continue;
    const target = targetFromLink(argument);
    if (target) return target;
  }
  return null;
}
