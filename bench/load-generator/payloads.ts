import type { SystemNotificationPayload } from '../../common/events.js';
import { benchContent } from './delivery-tracker.js';

/** Every benchmark event is a system notification carrying the stamp in `content`. */
export function benchPayload(phase: number, seq: number, sentAt: number): SystemNotificationPayload {
  return { type: 'system_notification', content: benchContent(phase, seq, sentAt), timestamp: new Date().toISOString() };
}

