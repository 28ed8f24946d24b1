import type { HoldReason } from '../../../common/alerts.js';
import type { DesktopSettings } from '../../../common/desktop-bridge.js';
import { interruptionsAt } from '../../../common/do-not-disturb.js';

/**
 * Do-not-disturb (until it ends) and quiet hours hold browser pop-ups and banners back, as they
 * do the desktop app's: which of the two does now, or null when neither.
 */
export function quietHoldReason(settings: DesktopSettings, now: Date): HoldReason | null {
  const interruptions = interruptionsAt(settings, now);
  return interruptions.kind === 'open' ? null : interruptions.kind;
}
