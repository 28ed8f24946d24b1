import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import { interruptionsAt } from '../../../common/do-not-disturb.js';

/** Do-not-disturb (until it ends) and quiet hours hold browser pop-ups back, as they do the desktop app's. */
export function popupAllowed(settings: DesktopSettings, now: Date): boolean {
  return interruptionsAt(settings, now).kind === 'open';
}
