import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import { isWithinQuietHours } from '../../../common/quiet-hours.js';

/** Do-not-disturb and quiet hours hold browser pop-ups back, as they do the desktop app's. */
export function popupAllowed(settings: DesktopSettings, now: Date): boolean {
  return !settings.doNotDisturb && !isWithinQuietHours(settings.quietHours, now);
}
