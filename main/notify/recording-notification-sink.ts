import type {
  NativeNotification,
  NotificationSink,
  PopupCallbacks,
} from './native-notification.js';

/**
 * Records every pop-up instead of showing it, keeping the real click handler so that a test
 * (or the app's test mode) can click a recorded pop-up exactly as the OS would. Every recorded
 * pop-up counts as shown.
 */
export class RecordingNotificationSink implements NotificationSink {
  readonly shown: NativeNotification[] = [];
  private readonly callbacks: PopupCallbacks[] = [];

  show(notification: NativeNotification, callbacks: PopupCallbacks): void {
    this.shown.push(notification);
    this.callbacks.push(callbacks);
    callbacks.outcome({ state: 'shown' });
  }

  click(index: number): void {
    const notification = this.shown[index];
    const callbacks = this.callbacks[index];
    if (!notification || !callbacks) throw new Error(`no recorded notification at index ${index}`);
    callbacks.click(notification.target);
  }

  /** Every event id covered by a recorded pop-up, in the order shown (duplicates kept). */
  eventIds(): number[] {
    return this.shown.flatMap((notification) => notification.eventIds);
  }
}
