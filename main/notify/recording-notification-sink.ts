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

  /** Event ids whose pop-up was taken off the screen, in the order closed. */
  readonly closed: number[] = [];

  show(notification: NativeNotification, callbacks: PopupCallbacks): void {
    this.shown.push(notification);
    this.callbacks.push(callbacks);
    callbacks.outcome({ state: 'shown' });
  }

  close(eventIds: readonly number[]): void {
    this.closed.push(...eventIds);
  }

  /** Whether the pop-up at `index` is still on screen. */
  onScreen(index: number): boolean {
    const notification = this.shown[index];
    return !!notification && !notification.eventIds.some((id) => this.closed.includes(id));
  }

  /** Presses the recorded pop-up's Acknowledge button, as the OS would. */
  acknowledge(index: number): void {
    const notification = this.shown[index];
    const callbacks = this.callbacks[index];
    if (!notification?.acknowledgeAlertId || !callbacks)
      throw new Error(`no Acknowledge on the recorded notification at index ${index}`);
    callbacks.acknowledge(notification.acknowledgeAlertId);
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
