import type { DesktopSettings } from './desktop-bridge.js';

/**
 * Whether `at` (local time) falls in the quiet hours. The range includes its start minute and
 * excludes its end minute; a range whose end is before its start spans midnight (22:00–07:00).
 * Equal start and end mean an empty range.
 */
export function isWithinQuietHours(quietHours: DesktopSettings['quietHours'], at: Date): boolean {
  if (!quietHours.enabled) return false;
  const start = minutesOfDay(quietHours.start);
  const end = minutesOfDay(quietHours.end);
  const now = at.getHours() * 60 + at.getMinutes();
  if (start === end) return false;
  return start < end ? now >= start && now < end : now >= start || now < end;
}

function minutesOfDay(clockTime: string): number {
  const [hours, minutes] = clockTime.split(':').map(Number);
  return (hours ?? 0) * 60 + (minutes ?? 0);
}
