import { Notification, type NativeImage } from 'electron';
import type {
  NativeNotification,
  NotificationSink,
  PopupCallbacks,
} from './native-notification.js';
import { windowsToastXml } from './windows-toast-xml.js';

/**
 * The only file that raises real OS pop-ups. Each shown Notification is kept referenced until
 * it closes or fails: a Notification object that is garbage-collected loses its click handler.
 * On Windows the toast is protocol-activated (windows-toast-xml.ts), so a click in the Action
 * Center, after `close`, still opens its target through `clinicpulse://`.
 */
export class ElectronNotificationSink implements NotificationSink {
  private readonly live = new Set<Notification>();
  /** Persistent (urgent) pop-ups not yet closed: an update restart waits for them. */
  private readonly urgentLive = new Set<Notification>();
  private readonly byEventId = new Map<number, Notification>();

  constructor(
    private readonly icon: NativeImage | undefined,
    private readonly platform: NodeJS.Platform,
    /** The signed link a Windows toast's Acknowledge button launches. */
    private readonly acknowledgeLink: (alertId: number) => string,
  ) {}

  show(notification: NativeNotification, callbacks: PopupCallbacks): void {
    if (!Notification.isSupported()) {
      callbacks.outcome({ state: 'failed', reason: 'this system has no notification service' });
      return;
    }
    // Buttons are macOS's (Windows gets its own, protocol-activated, in the toast XML; Linux
    // offers a click).
    const acknowledgeButton =
      notification.acknowledgeAlertId !== undefined && this.platform === 'darwin';
    const shown = new Notification({
      title: notification.title,
      body: notification.body,
      ...(acknowledgeButton ? { actions: [{ type: 'button' as const, text: 'Acknowledge' }] } : {}),
      silent: notification.silent,
      urgency: notification.urgency,
      // Linux keeps a `never` pop-up until dismissed; macOS follows the user's alert style.
      timeoutType: notification.persistent ? 'never' : 'default',
      ...(this.icon ? { icon: this.icon } : {}),
      ...(this.platform === 'win32'
        ? {
            toastXml: windowsToastXml(
              notification,
              notification.acknowledgeAlertId === undefined
                ? null
                : this.acknowledgeLink(notification.acknowledgeAlertId),
            ),
          }
        : {}),
    });
    let reported = false;
    const report = (outcome: Parameters<PopupCallbacks['outcome']>[0]) => {
      if (reported) return;
      reported = true;
      callbacks.outcome(outcome);
    };
    const forget = () => {
      this.live.delete(shown);
      this.urgentLive.delete(shown);
      for (const id of notification.eventIds)
        if (this.byEventId.get(id) === shown) this.byEventId.delete(id);
    };
    for (const id of notification.eventIds) this.byEventId.set(id, shown);
    this.live.add(shown);
    if (notification.persistent) this.urgentLive.add(shown);
    shown.on('show', () => report({ state: 'shown' }));
    shown.on('failed', (_event, error) => {
      forget();
      report({ state: 'failed', reason: error });
    });
    shown.on('click', () => callbacks.click(notification.target));
    shown.on('action', () => {
      if (notification.acknowledgeAlertId !== undefined)
        callbacks.acknowledge(notification.acknowledgeAlertId);
    });
    shown.on('close', forget);
    shown.show();
  }

  close(eventIds: readonly number[]): void {
    for (const id of eventIds) this.byEventId.get(id)?.close();
  }

  urgentOnScreen(): boolean {
    return this.urgentLive.size > 0;
  }
}
