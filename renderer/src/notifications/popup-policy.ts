import type { DesktopSettings, PreviewLevel } from '../../../common/desktop-bridge.js';
import type { NotifyingEvent } from '../../../common/events.js';
import { formatDateTime } from '../lib/format.js';

function minutesOf(clock: string): number {
  const [hours = 0, minutes = 0] = clock.split(':').map(Number);
  return hours * 60 + minutes;
}

/** Quiet hours may wrap midnight (22:00–07:00); equal start and end mean no quiet hours. */
export function inQuietHours(quietHours: DesktopSettings['quietHours'], now: Date): boolean {
  if (!quietHours.enabled) return false;
  const start = minutesOf(quietHours.start);
  const end = minutesOf(quietHours.end);
  const current = now.getHours() * 60 + now.getMinutes();
  if (start === end) return false;
  return start < end ? current >= start && current < end : current >= start || current < end;
}

export function popupAllowed(settings: DesktopSettings, now: Date): boolean {
  return !settings.doNotDisturb && !inQuietHours(settings.quietHours, now);
}

export interface PopupContent {
  title: string;
  body: string;
}

/**
 * What a pop-up may say. Pop-ups appear on screens patients can see and messages may name
 * patients, so the privacy level decides how much of the event leaves the app window.
 */
export function popupContent(event: NotifyingEvent, level: PreviewLevel): PopupContent {
  if (level === 'count_only') return { title: 'ClinicPulse', body: 'You have a new notification.' };
  switch (event.type) {
    case 'new_message':
      return level === 'sender_and_text'
        ? { title: event.sender || 'New message', body: event.text }
        : { title: 'New message', body: event.sender ? `From ${event.sender}` : '' };
    case 'appointment_reminder':
      return level === 'sender_and_text'
        ? {
            title: 'Appointment reminder',
            body: `${formatDateTime(event.time)} — ${event.content}`,
          }
        : { title: 'Appointment reminder', body: `At ${formatDateTime(event.time)}` };
    case 'system_notification':
      return level === 'sender_and_text'
        ? { title: 'System notice', body: event.content }
        : { title: 'System notice', body: 'Open ClinicPulse to read it.' };
  }
}
