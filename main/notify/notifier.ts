import type { DesktopSettings, NotificationTarget } from '../../common/desktop-bridge.js';
import type { NotifyingEvent, StreamEventOf } from '../../common/events.js';
import { isUrgentEvent } from '../../common/urgency.js';
import type { Clock } from '../clock.js';
import { BurstCoalescer, DEFAULT_BURST_OPTIONS, type BurstOptions } from './burst-coalescer.js';
import { holdReason, quietReason, type HoldReason } from './hold-policy.js';
import { escapeLibnotifyMarkup } from './libnotify-markup.js';
import type { NativeNotification, NotificationSink, PopupOutcome } from './native-notification.js';
import { targetForEvent, targetForSummary } from './notification-target.js';
import {
  formatLocalTime,
  previewFor,
  summaryFor,
  type PreviewText,
  type TimeFormatter,
} from '../../common/notification-preview.js';

/** Which event ids were already handled (popped up or held), kept on disk across restarts. */
export interface NotifiedLedger {
  hasNotified(eventId: number): boolean;
  /** Marks the id handled at once and resolves when that is durable. */
  recordNotified(eventId: number): Promise<void>;
}

/** What the notifier reads about the app at the moment an event arrives. */
export interface NotifierEnvironment {
  settings(): DesktopSettings;
  windowFocused(): boolean;
  openConversationId(): string | null;
  osDoNotDisturb(): boolean;
}

export type NotifyDecision =
  | { action: 'popup' }
  | { action: 'held'; reason: HoldReason }
  | { action: 'skipped'; reason: 'already_notified' };

export interface NotifierOptions {
  sink: NotificationSink;
  ledger: NotifiedLedger;
  clock: Clock;
  environment: NotifierEnvironment;
  platform: NodeJS.Platform;
  onClick: (target: NotificationTarget) => void;
  /** What the OS did with each pop-up, for the events it stands for. */
  onOutcome?: (eventIds: readonly number[], outcome: PopupOutcome) => void;
  /** An urgent pop-up's Acknowledge button was pressed. */
  onAcknowledge?: (alertId: number) => void;
  burst?: BurstOptions;
  /** A batch of at least this many pop-ups is shown as one summary. */
  summaryThreshold?: number;
  formatTime?: TimeFormatter;
}

export const DEFAULT_SUMMARY_THRESHOLD = 3;

/**
 * Turns notifying stream events into native pop-ups. The id is recorded as handled on disk
 * before anything is shown, so a crash can lose a pop-up but never repeat one: at most one
 * pop-up per event id, across restarts. Urgent messages and appointment reminders are urgent,
 * persistent, shown at once and offer Acknowledge; other pop-ups wait briefly so that a burst
 * becomes one summary. Repeats of an unacknowledged alert pop up again; an acknowledgement on
 * any desk closes its pop-ups.
 */
export class Notifier {
  private readonly coalescer: BurstCoalescer<NotifyingEvent>;
  private readonly summaryThreshold: number;
  private readonly formatTime: TimeFormatter;
  /** The events whose pop-ups are about each alert, so acknowledging elsewhere can close them. */
  private readonly alertPopups = new Map<number, number[]>();

  constructor(private readonly options: NotifierOptions) {
    this.coalescer = new BurstCoalescer(
      options.clock,
      options.burst ?? DEFAULT_BURST_OPTIONS,
      (events) => this.showBatch(events),
    );
    this.summaryThreshold = options.summaryThreshold ?? DEFAULT_SUMMARY_THRESHOLD;
    this.formatTime = options.formatTime ?? formatLocalTime;
  }

  async handle(
    event: NotifyingEvent,
    { backlog = false }: { backlog?: boolean } = {},
  ): Promise<NotifyDecision> {
    const { ledger, environment, clock } = this.options;
    if (ledger.hasNotified(event.id)) return { action: 'skipped', reason: 'already_notified' };
    const reason = holdReason(event, {
      settings: environment.settings(),
      now: new Date(clock.now()),
      windowFocused: environment.windowFocused(),
      openConversationId: environment.openConversationId(),
      osDoNotDisturb: environment.osDoNotDisturb(),
      backlog,
    });
    await ledger.recordNotified(event.id);
    if (reason) return { action: 'held', reason };
    // Urgent alerts go out at once and alone: folded into a summary they could not be acknowledged.
    if (isUrgentEvent(event)) this.showSingle(event);
    else this.coalescer.add(event);
    return { action: 'popup' };
  }

  /**
   * "Repeat 2 of 3" of an urgent alert nobody acknowledged: a pop-up again, urgent and
   * persistent, once per repeat event (the ledger), held only as its first alert would be.
   */
  async repeat(
    event: StreamEventOf<'alert_repeat'>,
    { backlog = false }: { backlog?: boolean } = {},
  ): Promise<NotifyDecision> {
    const { ledger, environment, clock } = this.options;
    if (ledger.hasNotified(event.id)) return { action: 'skipped', reason: 'already_notified' };
    const quiet = event.passes_do_not_disturb
      ? null
      : quietReason({
          settings: environment.settings(),
          now: new Date(clock.now()),
          osDoNotDisturb: environment.osDoNotDisturb(),
        });
    await ledger.recordNotified(event.id);
    if (backlog) return { action: 'held', reason: 'backlog' };
    if (quiet) return { action: 'held', reason: quiet };
    const settings = environment.settings();
    const words = previewFor(
      {
        id: event.id,
        type: 'new_message',
        conversation_id: event.conversation_id ?? '',
        sender: event.sender,
        text: event.text,
        timestamp: event.timestamp,
        priority: 'urgent',
      },
      settings.previewLevel,
      this.formatTime,
    );
    const alertId = Number(event.alert_id);
    this.close(alertId);
    this.remember(alertId, event.id);
    this.show({
      kind: 'single',
      ...this.forPlatform({
        title: `Repeat ${event.repeat} of ${event.of} · ${words.title}`,
        body: words.body,
      }),
      urgency: 'critical',
      persistent: true,
      silent: !settings.sound,
      target: event.conversation_id
        ? { kind: 'conversation', conversationId: event.conversation_id }
        : { kind: 'inbox' },
      eventIds: [event.id],
      acknowledgeAlertId: alertId,
    });
    return { action: 'popup' };
  }

  /** The alert was acknowledged (on any desk): its pop-ups leave the screen. */
  close(alertId: number): void {
    const eventIds = this.alertPopups.get(alertId);
    if (!eventIds) return;
    this.alertPopups.delete(alertId);
    this.options.sink.close(eventIds);
  }

  private remember(alertId: number, eventId: number): void {
    this.alertPopups.set(alertId, [...(this.alertPopups.get(alertId) ?? []), eventId]);
  }

  /** Shows whatever is waiting in the burst window now (on quit or sign-out). */
  flush(): void {
    this.coalescer.flush();
  }

  private showBatch(events: NotifyingEvent[]): void {
    if (events.length < this.summaryThreshold) {
      for (const event of events) this.showSingle(event);
      return;
    }
    const settings = this.options.environment.settings();
    this.show({
      kind: 'summary',
      ...this.forPlatform(summaryFor(events, settings.previewLevel)),
      urgency: 'normal',
      persistent: false,
      silent: !settings.sound,
      target: targetForSummary(events),
      eventIds: events.map((event) => event.id),
    });
  }

  private showSingle(event: NotifyingEvent): void {
    const settings = this.options.environment.settings();
    const urgent = isUrgentEvent(event);
    const alertId = event.alert_id === undefined ? null : Number(event.alert_id);
    if (alertId !== null && urgent) this.remember(alertId, event.id);
    this.show({
      kind: 'single',
      ...this.forPlatform(previewFor(event, settings.previewLevel, this.formatTime)),
      urgency: urgent ? 'critical' : 'normal',
      persistent: urgent,
      silent: !settings.sound,
      target: targetForEvent(event),
      eventIds: [event.id],
      ...(alertId !== null && urgent ? { acknowledgeAlertId: alertId } : {}),
    });
  }

  private forPlatform(text: PreviewText): PreviewText {
    return this.options.platform === 'linux'
      ? { title: text.title, body: escapeLibnotifyMarkup(text.body) }
      : text;
  }

  private show(notification: NativeNotification): void {
    this.options.sink.show(notification, {
      click: this.options.onClick,
      outcome: (outcome) => this.options.onOutcome?.(notification.eventIds, outcome),
      acknowledge: (alertId) => this.options.onAcknowledge?.(alertId),
    });
  }
}
