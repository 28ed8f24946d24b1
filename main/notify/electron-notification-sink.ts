import { Notification, type NativeImage } from 'electron';
import type { NotificationTarget } from '../../common/desktop-bridge.js';
import type { NativeNotification, NotificationSink } from './native-notification.js';

/**
 * The only file that raises real OS pop-ups. Each shown Notification is kept referenced until
 * it closes: a Notification object that is garbage-collected loses its click handler.
 */
export class ElectronNotificationSink implements NotificationSink {
  private readonly live = new Set<Notification>();

  constructor(private readonly icon: NativeImage | undefined) {}

  show(notification: NativeNotification, onClick: (target: NotificationTarget) => void): void {
    if (!Notification.isSupported()) return;
    const shown = new Notification({
      title: notification.title,
      body: notification.body,
      silent: notification.silent,
      urgency: notification.urgency,
      // Linux and Windows keep a `never` pop-up until dismissed; macOS follows the user's alert style.
      timeoutType: notification.persistent ? 'never' : 'default',
      ...(this.icon ? { icon: this.icon } : {}),
    });
    this.live.add(shown);
    shown.on('click', () => onClick(notification.target));
    shown.on('close', () => this.live.delete(shown));
    shown.show();
  }
}
