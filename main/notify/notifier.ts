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
  /** Marks the id handled at once, in memory; `persist` makes it durable. */
  markNotified(eventId: number): void;
  /**
   * Resolves once everything marked so far is on disk. Calls that come together share one
   * write, so the events of a burst cost one write, not one each.
   */
  persist(): Promise<void>;
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
  /** The ledger could not be written: the pop-ups waiting for it are dropped, never shown. */
  onProblem?: (detail: string) => void;
  burst?: BurstOptions;
  /** A batch of at least this many pop-ups is shown as one summary. */
  summaryThreshold?: number;
  formatTime?: TimeFormatter;
}

export const DEFAULT_SUMMARY_THRESHOLD = 3;

/**
 * Turns notifying stream events into native pop-ups. The id is recorded as handled on disk
 * before anything is shown, so a crash can lose a pop-up but never repeat one: at most one
 * pop-up per event id, across restarts. Deciding is immediate; showing waits for the ledger's
 * write, and events decided together share that write (group commit). What the screen does —
 * show, close — happens in the order the events came. Urgent messages and appointment reminders
 * are urgent, persistent, shown at once and offer Acknowledge; other pop-ups wait briefly so
 * that a burst becomes one summary. Repeats of an unacknowledged alert pop up again; an
 * acknowledgement on any desk closes its pop-ups.
 */
export class Notifier {
  private readonly coalescer: BurstCoalescer<NotifyingEvent>;
  private readonly summaryThreshold: number;
  private readonly formatTime: TimeFormatter;
  /** The events whose pop-ups are about each alert, so acknowledging elsewhere can close them. */
  private readonly alertPopups = new Map<number, number[]>();
  /** Settles once every screen change asked for so far has happened (or was dropped). */
  private screen: Promise<void> = Promise.resolve();

  constructor(private readonly options: NotifierOptions) {
    this.coalescer = new BurstCoalescer(
      options.clock,
      options.burst ?? DEFAULT_BURST_OPTIONS,
      (events) => this.showBatch(events),
    );
    this.summaryThreshold = options.summaryThreshold ?? DEFAULT_SUMMARY_THRESHOLD;
    this.formatTime = options.formatTime ?? formatLocalTime;
  }

  /**
   * Decides at once — the ledger marks the id before this returns, so calls for a whole batch can
   * be made in a row and share one write — and resolves once a pop-up, if any, was handed to the
   * screen (urgent) or to the burst window.
   */
  handle(
    event: NotifyingEvent,
    { backlog = false }: { backlog?: boolean } = {},
  ): Promise<NotifyDecision> {
    const { ledger, environment, clock } = this.options;
    if (ledger.hasNotified(event.id))
      return Promise.resolve({ action: 'skipped', reason: 'already_notified' });
    const reason = holdReason(event, {
      settings: environment.settings(),
      now: new Date(clock.now()),
      windowFocused: environment.windowFocused(),
      openConversationId: environment.openConversationId(),
      osDoNotDisturb: environment.osDoNotDisturb(),
      backlog,
    });
    ledger.markNotified(event.id);
    if (reason) return this.whenDurable({ action: 'held', reason });
    // Urgent alerts go out at once and alone: folded into a summary they could not be acknowledged.
    return this.whenDurable({ action: 'popup' }, () => {
      if (isUrgentEvent(event)) this.showSingle(event);
      else this.coalescer.add(event);
    });
  }

  /**
   * "Repeat 2 of 3" of an urgent alert nobody acknowledged: a pop-up again, urgent and
   * persistent, once per repeat event (the ledger), held only as its first alert would be.
   */
  repeat(
    event: StreamEventOf<'alert_repeat'>,
    { backlog = false }: { backlog?: boolean } = {},
  ): Promise<NotifyDecision> {
    const { ledger, environment, clock } = this.options;
    if (ledger.hasNotified(event.id))
      return Promise.resolve({ action: 'skipped', reason: 'already_notified' });
    const quiet = event.passes_do_not_disturb
      ? null
      : quietReason({
          settings: environment.settings(),
          now: new Date(clock.now()),
          osDoNotDisturb: environment.osDoNotDisturb(),
        });
    ledger.markNotified(event.id);
    if (backlog) return this.whenDurable({ action: 'held', reason: 'backlog' });
    if (quiet) return this.whenDurable({ action: 'held', reason: quiet });
    return this.whenDurable({ action: 'popup' }, () => this.showRepeat(event));
  }

  private showRepeat(event: StreamEventOf<'alert_repeat'>): void {
    const settings = this.options.environment.settings();
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
  }

  /**
   * The alert was acknowledged (on any desk): its pop-ups leave the screen — after any of them
   * still waiting for the ledger was shown, so a pop-up and its acknowledgement in one batch
   * leave nothing on screen.
   */
  close(alertId: number): void {
    this.screen = this.screen
      .then(() => {
        const eventIds = this.alertPopups.get(alertId);
        if (!eventIds) return;
        this.alertPopups.delete(alertId);
        this.options.sink.close(eventIds);
      })
      .catch((error: unknown) =>
        this.options.onProblem?.(`pop-ups of alert ${alertId} not closed: ${describe(error)}`),
      );
  }

  /**
   * Resolves with the decision once the ledger holds it on disk and `show` (if any) ran, in the
   * order of the calls. A failed write drops the pop-up: lost, never repeated.
   */
  private whenDurable(decision: NotifyDecision, show?: () => void): Promise<NotifyDecision> {
    const durable = this.options.ledger.persist();
    const shown = this.screen
      .then(() => durable)
      .then(
        () => show?.(),
        (error: unknown) =>
          this.options.onProblem?.(`event ids not recorded, so not popped up: ${describe(error)}`),
      )
      .catch((error: unknown) => this.options.onProblem?.(`a pop-up failed: ${describe(error)}`));
    this.screen = shown;
    return shown.then(() => decision);
  }

  private remember(alertId: number, eventId: number): void {
    this.alertPopups.set(alertId, [...(this.alertPopups.get(alertId) ?? []), eventId]);
  }

  /** Shows whatever is waiting, the burst window included, now (on quit or sign-out). */
  async flush(): Promise<void> {
    await this.screen;
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

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
