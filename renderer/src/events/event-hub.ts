import type { ConnectionState, Unsubscribe } from '../../../common/desktop-bridge.js';
import { Listeners, type EventFeed } from './event-feed.js';
import { isStreamEvent, type EventFrame } from './event-frame.js';
import { SeenEventIds } from './seen-event-ids.js';

export interface EventMeta {
  /**
   * True for events the server replayed from the history it held before this page first
   * connected (they come before the first `ready`): shown in the inbox, but too old to pop up.
   */
  fromHistory: boolean;
}

export type FrameListener = (frame: EventFrame, meta: EventMeta) => void;

/**
 * Fans the one feed out to every `useEvents` caller of the page, after dropping any event
 * already applied: each numbered event reaches each listener exactly once.
 */
export class EventHub {
  private readonly listeners = new Listeners<[EventFrame, EventMeta]>();
  private readonly seen = new SeenEventIds();
  private sawFirstReady: boolean;

  constructor(
    private readonly feed: EventFeed,
    options: { historyBeforeFirstReady: boolean },
  ) {
    this.sawFirstReady = !options.historyBeforeFirstReady;
    feed.onFrame((frame) => this.dispatch(frame));
  }

  get connection(): ConnectionState {
    return this.feed.connection;
  }

  get retryNow(): (() => void) | null {
    return this.feed.retryNow;
  }

  readonly onConnectionState = (listener: (state: ConnectionState) => void): Unsubscribe =>
    this.feed.onConnectionState(listener);

  subscribe(listener: FrameListener): Unsubscribe {
    return this.listeners.add(([frame, meta]) => listener(frame, meta));
  }

  start(): void {
    this.feed.start();
  }

  stop(): void {
    this.feed.stop();
  }

  private dispatch(frame: EventFrame): void {
    if (isStreamEvent(frame) && !this.seen.firstTime(frame.id)) return;
    if (frame.type === 'resync') this.seen.clear();
    const meta: EventMeta = { fromHistory: !this.sawFirstReady };
    if (frame.type === 'ready') this.sawFirstReady = true;
    this.listeners.emit([frame, meta]);
  }
}
