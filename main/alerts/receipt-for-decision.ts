import type { ReportedReceipt } from '../../common/alerts.js';
import type { HoldReason } from '../notify/hold-policy.js';
import type { PopupOutcome } from '../notify/native-notification.js';

/**
 * What this desk reports for a notifier's hold decision. The conversation open in the focused
 * window shows the message itself: shown. The first sign-in's backlog is delivered, too old to
 * pop up. The rest are held with their reason.
 */
export function receiptForHold(
  alertId: number,
  eventId: number,
  reason: HoldReason,
): ReportedReceipt {
  switch (reason) {
    case 'focused_conversation':
      return { alertId, eventId, state: 'shown' };
    case 'backlog':
      return { alertId, eventId, state: 'delivered' };
    case 'do_not_disturb':
    case 'quiet_hours':
    case 'os_do_not_disturb':
    case 'conversation_muted':
      return { alertId, eventId, state: 'held', reason };
  }
}

/** What this desk reports once the OS answered for a pop-up: on screen, or refused by the OS. */
export function receiptForOutcome(
  alertId: number,
  eventId: number,
  outcome: PopupOutcome,
  overDoNotDisturb: boolean,
): ReportedReceipt {
  if (outcome.state === 'failed')
    return { alertId, eventId, state: 'held', reason: 'notifications_denied' };
  return {
    alertId,
    eventId,
    state: 'shown',
    ...(overDoNotDisturb ? { overDoNotDisturb: true } : {}),
  };
}
