import type { NotificationTarget } from '../../common/desktop-bridge.js';
import type { NativeNotification, NotificationSink } from './native-notification.js';

/**
 * Records every pop-up instead of showing it, keeping the real click handler so that a test
 * (or the app's test mode) can click a recorded pop-up exactly as the OS would.
 */
export class RecordingNotificationSink implements NotificationSink {
  readonly shown: NativeNotification[] = [];
  private readonly clickHandlers: ((target: NotificationTarget) => void)[] = [];

  show(notification: NativeNotification, onClick: (target: NotificationTarget) => void): void {
    this.shown.push(notification);
    this.clickHandlers.push(onClick);
  }

  click(index: number): void {
    const notification = this.shown[index];
    const onClick = this.clickHandlers[index];
    if (!notification || !onClick) throw new Error(`no recorded notification at index ${index}`);
    onClick(notification.target);
  }

  /** Every event id covered by a recorded pop-up, in the order shown (duplicates kept). */
  eventIds(): number[] {
    return this.shown.flatMap((notification) => notification.eventIds);
  }
}
