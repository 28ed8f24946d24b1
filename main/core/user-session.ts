import type {
  ConnectionState,
  DesktopSettings,
  NotificationTarget,
} from '../../common/desktop-bridge.js';
import type { EventsStateResponse, NotificationMarksResponse } from '../../common/api.js';
import { readPosition } from '../../common/conversation-position.js';
import { priorityOf } from '../../common/urgency.js';
import type { Desk, Priority } from '../../common/alerts.js';
import {
  isNotifyingEvent,
  type ControlEvent,
  type NotifyingEvent,
  type StreamEvent,
} from '../../common/events.js';
import { DeskReceipts, type PendingReceipt } from '../alerts/desk-receipts.js';
import { receiptForHold, receiptForOutcome } from '../alerts/receipt-for-decision.js';
import type { Clock } from '../clock.js';
import type { DurableWrite } from '../cursor/atomic-file.js';
import { cursorPath } from '../cursor/cursor-path.js';
import { CursorStore } from '../cursor/cursor-store.js';
import type { BurstOptions } from '../notify/burst-coalescer.js';
import { passesDoNotDisturb, quietReason } from '../notify/hold-policy.js';
import type { NotificationSink, PopupOutcome } from '../notify/native-notification.js';
import { Notifier, type NotifierEnvironment, type NotifyDecision } from '../notify/notifier.js';
import { DeskPresence } from '../presence/desk-presence.js';
import { PersonalSettingsSync, type DeskSettings } from '../settings/personal-settings-sync.js';
import type { BackoffOptions } from '../stream/backoff.js';
import type { HttpFetch } from '../stream/http-fetch.js';
import { StreamClient } from '../stream/stream-client.js';
import { UnreadCounter } from '../unread/unread-counter.js';

const READ_MARKER_TIMEOUT_MS = 10_000;

export interface UserSessionListener {
  /** Every stream event and control frame, for the renderer. */
  event(event: StreamEvent | ControlEvent): void;
  connectionState(state: ConnectionState): void;
  unreadCount(count: number): void;
  /** What the notifier decided for each notifying event (logs, tests). */
  decision?(event: StreamEvent, decision: NotifyDecision): void;
  /** What the OS did with a pop-up, for the events it stands for. */
  popupOutcome?(eventIds: readonly number[], outcome: PopupOutcome): void;
  problem?(detail: string): void;
}

export interface UserSessionOptions {
  serverUrl: string;
  token: string;
  userId: number;
  dataDirectory: string;
  fetch: HttpFetch;
  sink: NotificationSink;
  clock: Clock;
  platform: NodeJS.Platform;
  environment: NotifierEnvironment;
  onNotificationClick(target: NotificationTarget): void;
  listener: UserSessionListener;
  burst?: BurstOptions;
  backoff?: BackoffOptions;
  heartbeatTimeoutMs?: number;
  random?: () => number;
  /** This installation's desk: with one, the session reports receipts and acknowledges as it. */
  desk?: Desk;
  /** How long receipts are gathered before they are reported. */
  receiptFlushMs?: number;
  /** This desk's settings: with them, the pop-up settings follow the person (server-kept). */
  deskSettings?: DeskSettings;
  /** How the cursor and the pending receipts are written; `writeFileAtomic` unless counted. */
  write?: DurableWrite;
  /** With it, the session reports the person's presence from the OS's idle time. */
  presence?: { systemIdleMs(): number; deskId: string; checkEveryMs?: number };
}

/**
 * One signed-in user on this desk: the stream, the cursor file, the notifier and the badge,
 * wired so that every event is handled once, in order, and its effects are on disk before a
 * pop-up shows. A new UserSession over the same data directory (an app restart) resumes from
 * the cursor and pops up each event it missed exactly once.
 */
export class UserSession {
  private backlog: boolean;
  /** Set as stop() begins: from then on only what stop() awaits may write to disk. */
  private stopping = false;
  /** Settles once the server's read marker and marks have been asked for (or that failed). */
  private readStateKnown: Promise<void> = Promise.resolve();
  private readonly stream: StreamClient;
  private readonly notifier: Notifier;
  private readonly personalSettings: PersonalSettingsSync | null;
  private readonly presence: DeskPresence | null;
  /** Popped-up events whose receipt waits for the OS to say whether the pop-up showed. */
  private readonly awaitingOutcome = new Map<
    number,
    { alertId: number; overDoNotDisturb: boolean; priority: Priority }
  >();

  private constructor(
    private readonly options: UserSessionOptions,
    private readonly cursor: CursorStore,
    private readonly unread: UnreadCounter,
    private readonly receipts: DeskReceipts | null,
  ) {
    // On the first sign-in as this user here, what the server still holds was meant for
    // earlier hours or other desks: it is counted but not popped up, until `ready`.
    this.backlog = !cursor.caughtUp;
    this.personalSettings = options.deskSettings
      ? new PersonalSettingsSync({
          serverUrl: options.serverUrl,
          token: options.token,
          fetch: options.fetch,
          desk: options.deskSettings,
          problem: (detail) => options.listener.problem?.(detail),
        })
      : null;
    this.presence = options.presence
      ? new DeskPresence({
          serverUrl: options.serverUrl,
          token: options.token,
          fetch: options.fetch,
          ...options.presence,
        })
      : null;
    this.notifier = new Notifier({
      sink: options.sink,
      ledger: cursor,
      clock: options.clock,
      environment: options.environment,
      platform: options.platform,
      onClick: options.onNotificationClick,
      onOutcome: (eventIds, outcome) => {
        const shown: PendingReceipt[] = [];
        for (const eventId of eventIds) {
          const waiting = this.awaitingOutcome.get(eventId);
          if (!waiting) continue;
          this.awaitingOutcome.delete(eventId);
          shown.push({
            receipt: receiptForOutcome(waiting.alertId, eventId, outcome, waiting.overDoNotDisturb),
            priority: waiting.priority,
          });
        }
        void this.receipts?.addAll(shown);
        options.listener.popupOutcome?.(eventIds, outcome);
      },
      onAcknowledge: (alertId) => void this.acknowledge(alertId),
      onProblem: (detail) => options.listener.problem?.(detail),
      ...(options.burst ? { burst: options.burst } : {}),
    });
    this.stream = new StreamClient({
      serverUrl: options.serverUrl,
      token: options.token,
      fetch: options.fetch,
      lastEventId: cursor.lastEventId,
      clock: options.clock,
      ...(options.backoff ? { backoff: options.backoff } : {}),
      ...(options.heartbeatTimeoutMs ? { heartbeatTimeoutMs: options.heartbeatTimeoutMs } : {}),
      ...(options.random ? { random: options.random } : {}),
      handlers: {
        onEvents: (events) => this.handleEvents(events),
        onControl: (control) => this.handleControl(control),
        onState: (state) => options.listener.connectionState(state),
        onProtocolError: (detail) => options.listener.problem?.(detail),
      },
    });
  }

  static async start(options: UserSessionOptions): Promise<UserSession> {
    const cursor = await CursorStore.open(
      cursorPath(options.dataDirectory, options.serverUrl, options.userId),
      options.write,
    );
    const unread = new UnreadCounter(cursor.unreadState);
    const receipts = options.desk
      ? await DeskReceipts.open({
          serverUrl: options.serverUrl,
          token: options.token,
          userId: options.userId,
          dataDirectory: options.dataDirectory,
          desk: options.desk,
          fetch: options.fetch,
          clock: options.clock,
          ...(options.receiptFlushMs !== undefined ? { flushMs: options.receiptFlushMs } : {}),
          ...(options.write ? { write: options.write } : {}),
          problem: (detail) => options.listener.problem?.(detail),
        })
      : null;
    const session = new UserSession(options, cursor, unread, receipts);
    // Not awaited: a server that is down must not hold up the app's start. Events wait for it
    // instead (handleEvents), so the badge never counts what the marker says is read.
    session.readStateKnown = session.refreshServerState();
    session.stream.start();
    session.presence?.start();
    return session;
  }

  get unreadCount(): number {
    return this.unread.count;
  }

  get connection(): ConnectionState {
    return this.stream.state;
  }

  get lastEventId(): number | null {
    return this.cursor.lastEventId;
  }

  reconnectNow(reason: string): void {
    this.stream.reconnectNow(reason);
  }

  setNetworkAvailable(available: boolean): void {
    this.stream.setNetworkAvailable(available);
  }

  /** Marks everything received so far read, here and (through the server) on every desk. */
  async markAllRead(): Promise<void> {
    const upTo = this.cursor.lastEventId;
    if (upTo === null) return;
    const response = await this.options.fetch(
      new URL('/api/events/ack', this.options.serverUrl).href,
      {
        method: 'POST',
        headers: {
          authorization: `Bearer ${this.options.token}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ lastEventId: upTo }),
        signal: AbortSignal.timeout(READ_MARKER_TIMEOUT_MS),
      },
    );
    await response.body?.cancel();
    if (!response.ok)
      throw new Error(`marking read failed: the server answered ${response.status}`);
    await this.updateUnread(() => this.unread.markReadUpTo(upTo));
  }

  /** This desk's settings changed: what follows the person goes to the server. */
  personalSettingsChanged(before: DesktopSettings, after: DesktopSettings): Promise<void> {
    return this.personalSettings?.changed(before, after) ?? Promise.resolve();
  }

  /**
   * Stops the stream, shows what waits in the burst window, and leaves the cursor on disk;
   * resolves once nothing of this session writes to disk any more (the app quits right after).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.presence?.stop();
    // Before the stream's: events waiting for the person's settings go on with the desk's own.
    const settingsStopped = this.personalSettings?.stop();
    await this.stream.stop();
    await settingsStopped;
    await this.notifier.flush();
    await this.cursor.persist();
    await this.receipts?.stop();
  }

  /** The OS screen lock came on or went off. */
  screenLocked(locked: boolean): void {
    this.presence?.setScreenLocked(locked);
  }

  /** This desk was renamed in Settings: receipts from now on carry the new name. */
  renameDesk(desk: Desk): void {
    if (this.receipts) this.receipts.desk = desk;
  }

  /**
   * Acknowledges an alert from its pop-up, naming this desk; resolves with whether the server
   * took it. The server then tells every desk of every recipient (`alert_acknowledged`), which
   * closes this pop-up too.
   */
  async acknowledge(alertId: number): Promise<boolean> {
    try {
      const response = await this.options.fetch(
        new URL(`/api/alerts/${alertId}/acknowledge`, this.options.serverUrl).href,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${this.options.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(this.receipts ? { deskId: this.receipts.desk.id } : {}),
          signal: AbortSignal.timeout(READ_MARKER_TIMEOUT_MS),
        },
      );
      await response.body?.cancel();
      if (!response.ok) throw new Error(`the server answered ${response.status}`);
      return true;
    } catch (error) {
      this.options.listener.problem?.(
        `alert ${alertId} not acknowledged: ${error instanceof Error ? error.message : String(error)}`,
      );
      return false;
    }
  }

  /**
   * What the server keeps for the person and this desk follows: read state and pop-up
   * settings. Events wait for it, so none is counted or popped up by an outdated state.
   */
  private async refreshServerState(): Promise<void> {
    await Promise.all([this.refreshReadState(), this.personalSettings?.load()]);
  }

  /**
   * The server's read marker and single marks can have moved while this desk was closed, or
   * beyond what a resync replays. The state is asked first: every mark its `lastEventId` covers
   * is then in the marks that follow.
   */
  private async refreshReadState(): Promise<void> {
    try {
      const state = await this.getJson<EventsStateResponse>('/api/events/state');
      if (!state) return;
      if (typeof state.lastReadEventId === 'number')
        await this.updateUnread(() => this.unread.markReadUpTo(state.lastReadEventId));
      const marks = await this.getJson<NotificationMarksResponse>('/api/notifications/marks');
      if (marks && Array.isArray(marks.marks))
        await this.updateUnread(() =>
          this.unread.loadMarks(
            marks.marks.map(({ eventId, read }) => ({ id: eventId, read })),
            state.lastEventId ?? 0,
          ),
        );
    } catch (error) {
      // Offline at start: the stream's replayed `notifications_read` events correct the badge later.
      this.options.listener.problem?.(
        `could not read the event state: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  private async getJson<T>(path: string): Promise<T | null> {
    const response = await this.options.fetch(new URL(path, this.options.serverUrl).href, {
      headers: { authorization: `Bearer ${this.options.token}` },
      signal: AbortSignal.timeout(READ_MARKER_TIMEOUT_MS),
    });
    if (response.ok) return (await response.json()) as T;
    await response.body?.cancel();
    return null;
  }

  /**
   * One batch of events from the stream (all that arrived together): their effects on the
   * cursor, the ledger and the badge are made in memory, in order, then written in one atomic
   * write, and only then are the pop-ups shown (the notifier waits for that write). The badge
   * and the app hear of the batch once, after it.
   */
  private async handleEvents(events: readonly StreamEvent[]): Promise<void> {
    await this.readStateKnown;
    const countBefore = this.unread.count;
    let changed = false;
    const decided: Promise<void>[] = [];
    const held: PendingReceipt[] = [];
    for (const event of events) {
      this.cursor.advance(event.id);
      if (event.type === 'notifications_read') {
        this.unread.markReadUpTo(event.lastEventId);
        changed = true;
      } else if (event.type === 'conversation_read') {
        const read = readPosition(event);
        if (read) this.unread.markConversationRead(read);
        changed = true;
      } else if (event.type === 'notifications_marked') {
        this.unread.mark(event.event_ids, event.read, event.id);
        changed = true;
      } else if (event.type === 'settings_changed') {
        // Before the next event is decided: a message right after the person turned on
        // do-not-disturb is held.
        await this.personalSettings?.adopt(event.settings);
      } else if (event.type === 'alert_acknowledged') {
        this.notifier.close(Number(event.alert_id));
      } else if (event.type === 'alert_repeat') {
        changed = true;
        decided.push(
          this.notifier
            .repeat(event, { backlog: this.backlog })
            .then((decision) => this.options.listener.decision?.(event, decision)),
        );
      } else if (isNotifyingEvent(event)) {
        changed = true;
        this.unread.add(event);
        const alertId = this.receipts ? alertIdOf(event) : null;
        // Before handle(): the OS can answer for a pop-up as soon as it is shown.
        if (alertId !== null)
          this.awaitingOutcome.set(event.id, {
            alertId,
            overDoNotDisturb: this.overDoNotDisturb(event),
            priority: priorityOf(event),
          });
        decided.push(
          this.notifier.handle(event, { backlog: this.backlog }).then((decision) => {
            if (decision.action !== 'popup') this.awaitingOutcome.delete(event.id);
            if (alertId !== null && decision.action === 'held')
              held.push({
                receipt: receiptForHold(alertId, event.id, decision.reason),
                priority: priorityOf(event),
              });
            this.options.listener.decision?.(event, decision);
          }),
        );
      }
    }
    if (changed) {
      this.cursor.setUnreadState(this.unread.snapshot());
      // The write the notifier asked for, if it did: the batch's one write.
      await this.cursor.persist();
    }
    await Promise.all(decided);
    await this.receipts?.addAll(held);
    if (this.unread.count !== countBefore) this.options.listener.unreadCount(this.unread.count);
    for (const event of events) this.options.listener.event(event);
  }

  /** An urgent alert let through something that would have held it. */
  private overDoNotDisturb(event: NotifyingEvent): boolean {
    const { environment, clock } = this.options;
    return (
      passesDoNotDisturb(event) &&
      quietReason({
        settings: environment.settings(),
        now: new Date(clock.now()),
        osDoNotDisturb: environment.osDoNotDisturb(),
      }) !== null
    );
  }

  private async handleControl(control: ControlEvent): Promise<void> {
    if (control.type === 'resync') {
      this.cursor.resetTo(control.lastEventId);
      await this.cursor.persist();
      // What the lost history said is on the server; events after this wait for it.
      this.readStateKnown = this.refreshServerState();
    } else if (control.type === 'ready' && this.backlog) {
      this.backlog = false;
      await this.cursor.markCaughtUp();
    }
    this.options.listener.event(control);
  }

  private async updateUnread(change: () => boolean): Promise<void> {
    // A read state or mark-all-read answered after stop began would be written after stop
    // resolved; the server keeps it, and the next start asks for it again.
    if (this.stopping) return;
    const changed = change();
    this.cursor.setUnreadState(this.unread.snapshot());
    await this.cursor.persist();
    if (changed) this.options.listener.unreadCount(this.unread.count);
  }
}

function alertIdOf(event: NotifyingEvent): number | null {
  return event.alert_id === undefined ? null : Number(event.alert_id);
}
