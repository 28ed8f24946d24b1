import type { NotificationTarget } from '../../common/desktop-bridge.js';
import type { AcknowledgeLinks } from './acknowledge-links.js';
import type { NotificationLink } from './notification-link.js';

export interface LinkActions {
  /** Shows the window at a target. */
  open(target: NotificationTarget): void;
  /** Brings the window forward where it was. */
  showWindow(): void;
  /** Acknowledges as the signed-in user on this desk; false when that did not happen. */
  acknowledge(alertId: number): Promise<boolean>;
  acknowledgeLinks: AcknowledgeLinks;
  log(level: 'info' | 'warn', message: string): void;
}

/**
 * Does what a `clinicpulse://` link from the OS asks. An Acknowledge from a toast acknowledges
 * without opening anything, as a button should; one this installation did not sign, or one the
 * server did not take (signed out, offline, not this user's alert), brings the window forward
 * instead, where the alert's own Acknowledge is.
 */
export async function openNotificationLink(
  link: NotificationLink,
  actions: LinkActions,
): Promise<void> {
  if (link.kind === 'open') {
    actions.open(link.target);
    return;
  }
  if (!actions.acknowledgeLinks.madeHere(link)) {
    actions.log('warn', `an acknowledge link for alert ${link.alertId} not made here was ignored`);
    actions.showWindow();
    return;
  }
  if (await actions.acknowledge(link.alertId)) {
    actions.log('info', `alert ${link.alertId} acknowledged from its pop-up`);
    return;
  }
  actions.showWindow();
}
