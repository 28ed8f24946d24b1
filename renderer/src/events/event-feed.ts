import type { ConnectionState, Unsubscribe } from '../../../common/desktop-bridge.js';
import type { EventFrame } from './event-frame.js';

/**
 * The page's one source of events: the browser's EventSource, or the desktop bridge whose main
 * process holds the connection. Frames are already checked against the wire protocol.
 */
export interface EventFeed {
  start(): void;
  stop(): void;
  onFrame(listener: (frame: EventFrame) => void): Unsubscribe;
  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe;
  readonly connection: ConnectionState;
  /** Skips the wait before the next connection attempt, when this feed schedules them. */
  readonly retryNow: (() => void) | null;
}

export const INITIAL_CONNECTION: ConnectionState = {
  status: 'connecting',
  nextRetryAt: null,
  detail: null,
};

/** A tiny listener list, so feeds need no event-emitter dependency. */
export class Listeners<T> {
  private readonly listeners = new Set<(value: T) => void>();

  add(listener: (value: T) => void): Unsubscribe {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(value: T): void {
    for (const listener of [...this.listeners]) listener(value);
  }
}
