import { isAppUrl } from './app-files.js';

/**
 * Where the window may go. The page is the app's own bundle (`app://clinicpulse`); it may
 * reload itself and move between its own hash routes, nothing else. `window.open` never opens
 * an Electron window: a link to the clinic server's own origin (its web UI) opens in the
 * system browser, anything else is refused, so a message cannot send staff to a phishing page
 * inside a trusted-looking window.
 */
export function isAllowedNavigation(url: string): boolean {
  return isAppUrl(url);
}

export type WindowOpenDecision = { action: 'deny' } | { action: 'open-in-browser'; url: string };

export function decideWindowOpen(url: string, serverOrigin: string | null): WindowOpenDecision {
  const target = parse(url);
  if (!target || serverOrigin === null) return { action: 'deny' };
  if (
    (target.protocol === 'https:' || target.protocol === 'http:') &&
    target.origin === serverOrigin
  ) {
    return { action: 'open-in-browser', url: target.href };
  }
  return { action: 'deny' };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}
