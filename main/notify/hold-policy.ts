import type { DesktopSettings } from '../../common/desktop-bridge.js';
import { isDoNotDisturbOn } from '../../common/do-not-disturb.js';
import type { NotifyingEvent } from '../../common/events.js';
import { isWithinQuietHours } from '../../common/quiet-hours.js';
import { isUrgentEvent } from '../../common/urgency.js';

export const HOLD_REASONS = [
  'backlog',
  'focused_conversation',
  'do_not_disturb',
  'quiet_hours',
  'os_do_not_disturb',
  'conversation_muted',
] as const;
export type HoldReason = (typeof HOLD_REASONS)[number];

export interface HoldContext {
  settings: DesktopSettings;
  now: Date;
  /** The window is focused and shows this conversation (null: no conversation open). */
  windowFocused: boolean;
  openConversationId: string | null;
  /** The OS's own do-not-disturb, where it can be read; false when unknown. */
  osDoNotDisturb: boolean;
  /** Events that were already waiting before this desk first signed in as this user. */
  backlog: boolean;
}

/**
 * Why an event raises no pop-up, or null when it should. A held event is still counted as
 * unread and is never popped up later: it is in the inbox, and a pop-up long after the fact
 * would only interrupt.
 */
export function holdReason(event: NotifyingEvent, context: HoldContext): HoldReason | null {
  if (context.backlog) return 'backlog';
  if (
    event.type === 'new_message' &&
    context.windowFocused &&
    context.openConversationId !== null &&
    context.openConversationId === event.conversation_id
  ) {
    return 'focused_conversation';
  }
  // Muted by the person: counted, but only an urgent message still alerts.
  if (event.type === 'new_message' && event.muted && !isUrgentEvent(event))
    return 'conversation_muted';
  // The clinic lets this urgent alert through (stamped on it when it was sent).
  if (passesDoNotDisturb(event)) return null;
  return quietReason(context);
}

/** Do-not-disturb, quiet hours or the OS's do-not-disturb, whichever holds pop-ups back now. */
export function quietReason(
  context: Pick<HoldContext, 'settings' | 'now' | 'osDoNotDisturb'>,
): 'do_not_disturb' | 'quiet_hours' | 'os_do_not_disturb' | null {
  // Do-not-disturb with an end time holds nothing once it has passed, whoever was to turn it off.
  if (isDoNotDisturbOn(context.settings, context.now)) return 'do_not_disturb';
  if (isWithinQuietHours(context.settings.quietHours, context.now)) return 'quiet_hours';
  if (context.osDoNotDisturb) return 'os_do_not_disturb';
  return null;
}

/** An urgent message or reminder the clinic's policy lets through do-not-disturb and quiet hours. */
export function passesDoNotDisturb(event: NotifyingEvent): boolean {
  return (
    isUrgentEvent(event) &&
    event.type !== 'system_notification' &&
    event.passes_do_not_disturb === true
  );
}
