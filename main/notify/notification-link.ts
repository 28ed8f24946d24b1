import type { NotificationTarget } from '../../common/desktop-bridge.js';

/**
 * `clinicpulse://` links: what a Windows toast launches when it is clicked in the Action Center
 * (long after Electron's click callback is gone) or when its Acknowledge button is pressed, and
 * what macOS hands to `open-url`. The OS starts the app (or a second instance that passes its
 * argv to the first) with the link.
 */
export const LINK_SCHEME = 'clinicpulse';

/** What a link asks for: to open a target, or to acknowledge an alert from its pop-up. */
export type NotificationLink =
  | { kind: 'open'; target: NotificationTarget }
  | {
      kind: 'acknowledge';
      alertId: number;
      /** Proof that this installation made the link (acknowledge-links.ts). */
      signature: string;
    };

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const ALERT_ID = /^[1-9]\d{0,14}$/;
const SIGNATURE = /^[0-9a-f]{32}$/i;

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

export function linkForAcknowledge(alertId: number, signature: string): string {
  return `${LINK_SCHEME}://acknowledge/${alertId}/${signature}`;
}

/** What a link asks for, or null for anything else: links come from outside the app. */
export function parseLink(link: string): NotificationLink | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  if (url.protocol !== `${LINK_SCHEME}:` || url.search || url.hash || url.username) return null;
  const parts = url.pathname.split('/').filter((part) => part.length > 0);
  // The host of a non-special scheme keeps its case; Windows may hand the link over in capitals.
  const host = url.host.toLowerCase();
  if (host === 'inbox' && parts.length === 0)
    return { kind: 'open', target: { kind: 'inbox' } };
  if (host === 'acknowledge') {
    const [alertId, signature] = parts;
    if (parts.length !== 2 || !ALERT_ID.test(alertId!) || !SIGNATURE.test(signature!)) return null;
    return { kind: 'acknowledge', alertId: Number(alertId), signature: signature!.toLowerCase() };
  }
  if (parts.length !== 1 || !ID.test(parts[0]!)) return null;
  if (host === 'conversation')
    return { kind: 'open', target: { kind: 'conversation', conversationId: parts[0]! } };
  if (host === 'appointment')
    return { kind: 'open', target: { kind: 'appointment', appointmentId: parts[0]! } };
  return null;
}

/** The link among a launch's command-line arguments (Windows and Linux pass it there). */
export function linkFromArgv(argv: readonly string[]): NotificationLink | null {
  for (const argument of argv) {
    if (!argument.toLowerCase().startsWith(`${LINK_SCHEME}:`)) continue;
    const link = parseLink(argument);
    if (link) return link;
  }
  return null;
}
