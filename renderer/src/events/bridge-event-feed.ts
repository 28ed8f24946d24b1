import type {
  ConnectionState,
  DesktopBridge,
  Unsubscribe,
} from '../../../common/desktop-bridge.js';
import { INITIAL_CONNECTION, Listeners, type EventFeed } from './event-feed.js';
import { parseEventFrame, type EventFrame } from './event-frame.js';

/**
 * Events in the desktop app: the main process holds the only stream connection and forwards
 * each frame over the preload bridge. Frames are checked again here because the bridge is a
 * process boundary, and this page trusts nothing it did not check.
 */
export class BridgeEventFeed implements EventFeed {
  private readonly frames = new Listeners<EventFrame>();
  private readonly states = new Listeners<ConnectionState>();
  private state: ConnectionState = INITIAL_CONNECTION;
  private unsubscribers: Unsubscribe[] = [];
  private heardFromMain = false;

  /** The main process schedules its own reconnects; the bridge offers no way to hurry them. */
  readonly retryNow = null;

  constructor(
    private readonly bridge: Pick<DesktopBridge, 'onEvent' | 'onConnectionState' | 'getState'>,
  ) {}

  get connection(): ConnectionState {
    return this.state;
  }

  onFrame(listener: (frame: EventFrame) => void): Unsubscribe {
    return this.frames.add(listener);
  }

  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.states.add(listener);
  }

  start(): void {
    if (this.unsubscribers.length > 0) return;
    this.unsubscribers = [
      this.bridge.onEvent((raw) => {
        const frame = parseEventFrame(raw);
        if (frame) this.frames.emit(frame);
      }),
      this.bridge.onConnectionState((state) => {
        this.heardFromMain = true;
        this.setState(state);
      }),
    ];
    void this.bridge.getState().then(
      (desktop) => {
        // A state pushed while this request was in flight is newer than the snapshot.
        if (!this.heardFromMain) this.setState(desktop.connection);
      },
      () => undefined,
    );
  }

  stop(): void {
    for (const unsubscribe of this.unsubscribers) unsubscribe();
    this.unsubscribers = [];
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    this.states.emit(state);
  }
}
