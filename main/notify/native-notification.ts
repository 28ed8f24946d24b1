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
  /** The alert an urgent pop-up asks to be acknowledged; it offers Acknowledge where the OS has buttons. */
  acknowledgeAlertId?: number;
}

/**
 * What became of one pop-up once the OS had it: on screen, or refused and why (macOS drops the
 * pop-ups of an unsigned or unpermitted app and says so in `failed`; Windows does the same
 * without an AppUserModelId). Together with the notifier's `held` decisions this is the per-event
 * outcome the main process can report.
 */
export type PopupOutcome = { state: 'shown' } | { state: 'failed'; reason: string };

export interface PopupCallbacks {
  /** The app's real click handler; sinks call it when the pop-up is clicked. */
  click(target: NotificationTarget): void;
  /** Called once per pop-up with what the OS did with it. */
  outcome(outcome: PopupOutcome): void;
  /** Its Acknowledge button was pressed (where the OS has buttons). */
  acknowledge(alertId: number): void;
}

/**
 * Where pop-ups go: the Electron adapter in the app, a recording sink in tests and in the app's
 * test mode.
 */
export interface NotificationSink {
  show(notification: NativeNotification, callbacks: PopupCallbacks): void;
  /** Takes the pop-ups of these events off the screen (acknowledged on another desk). */
  close(eventIds: readonly number[]): void;
}
