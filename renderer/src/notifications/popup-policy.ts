import type { HoldReason } from '../../../common/alerts.js';
import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import { isWithinQuietHours } from '../../../common/quiet-hours.js';

/**
 * Do-not-disturb and quiet hours hold browser pop-ups and banners back, as they do the desktop
 * app's: which of the two does now, or null when neither.
 */
export function quietHoldReason(settings: DesktopSettings, now: Date): HoldReason | null {
  if (settings.doNotDisturb) return 'do_not_disturb';
  if (isWithinQuietHours(settings.quietHours, now)) return 'quiet_hours';
  return null;
}
