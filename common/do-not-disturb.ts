import type { DesktopSettings } from './desktop-bridge.js';
import { isWithinQuietHours } from './quiet-hours.js';

/** Why pop-ups are held back right now, and until when (ISO 8601, or a local "HH:MM" for quiet hours). */
export type Interruptions =
  | { kind: 'open' }
  | { kind: 'do_not_disturb'; until: string | null }
  | { kind: 'quiet_hours'; until: string };

/** Do-not-disturb counts until its end time, when it has one. */
export function isDoNotDisturbOn(
  settings: Pick<DesktopSettings, 'doNotDisturb' | 'doNotDisturbUntil'>,
  at: Date,
): boolean {
  if (!settings.doNotDisturb) return false;
  const until = settings.doNotDisturbUntil;
  return until === null || until === undefined || Date.parse(until) > at.getTime();
}

/** What holds pop-ups back at `at`: do-not-disturb first (it is the person's own choice), then quiet hours. */
export function interruptionsAt(settings: DesktopSettings, at: Date): Interruptions {
  if (isDoNotDisturbOn(settings, at))
    return { kind: 'do_not_disturb', until: settings.doNotDisturbUntil ?? null };
  if (isWithinQuietHours(settings.quietHours, at))
    return { kind: 'quiet_hours', until: settings.quietHours.end };
  return { kind: 'open' };
}
