import type { NotificationTarget } from '../../common/desktop-bridge.js';

/** One pop-up exactly as the OS should show it; what a sink receives and a test records. */
export interface NativeNotification {
  kind: 'single' | 'summary';
  title: string;
  body: string;
  urgency: 'normal' | 'critical';
  /** Stays on screen until the user dismisses it (appointment reminders). */
  persistent: boolean;
  silent: boolean;
  /** What a click opens. */
  target: NotificationTarget;
  /** The stream events this pop-up stands for; each id appears in at most one pop-up ever. */
  eventIds: number[];
}

/**
 * Where pop-ups go: the Electron adapter in the app, a recording sink in tests and in the app's
 * test mode. `onClick` is the app's real click handler; sinks call it when a pop-up is clicked.
 */
export interface NotificationSink {
  show(notification: NativeNotification, onClick: (target: NotificationTarget) => void): void;
}
