import type { ConnectionState, Unsubscribe } from '../../../common/desktop-bridge.js';
import { CONTROL_EVENT_TYPES, STREAM_EVENT_FRAME } from '../../../common/events.js';
import { INITIAL_CONNECTION, Listeners, type EventFeed } from './event-feed.js';
import { isStreamEvent, parseSseFrame, type EventFrame } from './event-frame.js';
import {
  DEFAULT_RECONNECT_TUNING,
  ReconnectPlan,
  type ReconnectStep,
} from '../../../common/reconnect-plan.js';

const UNREACHABLE = 'The clinic server cannot be reached; checking every second or so.';

/** The part of the browser's EventSource this feed uses; tests pass a class with the same shape. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: Event) => void): void;
  close(): void;
}
export type EventSourceConstructor = new (url: string, init?: EventSourceInit) => EventSourceLike;

/** What an error on the stream turned out to mean, learned from a plain REST call. */
export type SessionCheck = 'signed_in' | 'signed_out' | 'unreachable';

export interface BrowserEventFeedOptions {
  url: string;
  EventSource: EventSourceConstructor;
  /** Asked after the stream fails: EventSource hides the HTTP status, so a 401 must be learned elsewhere. */
  checkSession: () => Promise<SessionCheck>;
  /**
   * A cheap question to the server (`GET /healthz`): true once it answers. Asked at a short,
   * jittered interval while the server cannot be reached, so the stream reopens moments after
   * it is back instead of after a backoff that grew during the outage.
   */
  probe: () => Promise<boolean>;
  /** Where online/offline events come from and where `navigator.onLine` is read. */
  environment?: {
    addEventListener: Window['addEventListener'];
    removeEventListener: Window['removeEventListener'];
  };
  isOnline?: () => boolean;
  random?: () => number;
}

/**
 * The browser's EventSource on /api/events/stream, with the reconnecting done here rather than
 * by the browser: on any error the source is closed and the feed asks the server who is signed
 * in. Signed out: it stops. The server answers but the stream broke: a new stream after a
 * backoff that grows while the stream keeps failing. The server does not answer: cheap probes
 * of /healthz every second or so (jittered, so a clinic's desks spread out), and a new stream
 * as soon as one is answered. Each new stream carries `?lastEventId=` of the last event this
 * page saw, so the resume point is the id it tracked itself.
 */
export class BrowserEventFeed implements EventFeed {
  private readonly frames = new Listeners<EventFrame>();
  private readonly states = new Listeners<ConnectionState>();
  private state: ConnectionState = INITIAL_CONNECTION;
  private source: EventSourceLike | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly plan: ReconnectPlan;
  private lastEventId: number | null = null;
  private running = false;
  /** Bumped on every connect and stop, so callbacks of an old source or session check do nothing. */
  private generation = 0;
  private readonly environment: NonNullable<BrowserEventFeedOptions['environment']>;
  private readonly isOnline: () => boolean;

  constructor(private readonly options: BrowserEventFeedOptions) {
    this.environment = options.environment ?? window;
    this.isOnline = options.isOnline ?? (() => navigator.onLine);
    this.plan = new ReconnectPlan(DEFAULT_RECONNECT_TUNING, options.random);
  }

  get connection(): ConnectionState {
    return this.state;
  }

  readonly retryNow = (): void => {
    if (!this.running || this.state.status === 'signed_out') return;
    if (this.state.status === 'connected' || this.state.status === 'connecting') return;
    this.connect();
  };

  onFrame(listener: (frame: EventFrame) => void): Unsubscribe {
    return this.frames.add(listener);
  }

  onConnectionState(listener: (state: ConnectionState) => void): Unsubscribe {
    return this.states.add(listener);
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.environment.addEventListener('online', this.handleOnline);
    this.environment.addEventListener('offline', this.handleOffline);
    if (this.isOnline()) this.connect();
    else
      this.setState({
        status: 'offline',
        nextRetryAt: null,
        detail: 'This computer has no network connection.',
      });
  }

  stop(): void {
    this.running = false;
    this.generation++;
    this.environment.removeEventListener('online', this.handleOnline);
    this.environment.removeEventListener('offline', this.handleOffline);
    this.clearRetry();
    this.closeSource();
  }

  private connect(): void {
    this.clearRetry();
    this.closeSource();
    const generation = ++this.generation;
    const url =
      this.lastEventId === null
        ? this.options.url
        : withLastEventId(this.options.url, this.lastEventId);
    const source = new this.options.EventSource(url, { withCredentials: true });
    this.source = source;
    if (this.state.status !== 'connecting') {
      this.setState({ status: 'reconnecting', nextRetryAt: null, detail: 'Connecting now…' });
    }

    source.addEventListener('open', () => {
      if (generation !== this.generation) return;
      this.plan.connected();
      this.setState({ status: 'connected', nextRetryAt: null, detail: null });
    });
    source.addEventListener('error', () => {
      if (generation !== this.generation) return;
      this.handleFailure(generation);
    });
    for (const type of [STREAM_EVENT_FRAME, ...CONTROL_EVENT_TYPES]) {
      source.addEventListener(type, (event) => {
        if (generation !== this.generation || !(event instanceof MessageEvent)) return;
        if (typeof event.data !== 'string') return;
        const frame = parseSseFrame(type, event.data);
        if (!frame) return;
        if (isStreamEvent(frame)) this.lastEventId = Math.max(this.lastEventId ?? 0, frame.id);
        // The server moved this client's position (it may be lower: an id it never handed out).
        else if (frame.type === 'resync') this.lastEventId = frame.lastEventId;
        this.frames.emit(frame);
      });
    }
  }

  private handleFailure(generation: number): void {
    this.closeSource();
    if (!this.isOnline()) {
      this.setState({
        status: 'offline',
        nextRetryAt: null,
        detail: 'This computer has no network connection.',
      });
      return;
    }
    this.setState({
      status: 'reconnecting',
      nextRetryAt: null,
      detail: 'Connection lost; checking the server…',
    });
    void this.options.checkSession().then(
      (result) => this.afterSessionCheck(generation, result),
      () => this.afterSessionCheck(generation, 'unreachable'),
    );
  }

  private afterSessionCheck(generation: number, result: SessionCheck): void {
    if (generation !== this.generation || !this.running) return;
    if (result === 'signed_out') {
      this.setState({
        status: 'signed_out',
        nextRetryAt: null,
        detail: 'Your session has ended. Please sign in again.',
      });
      return;
    }
    this.follow(generation, this.plan.afterStreamFailure(result === 'signed_in'));
  }

  /** Carries out the plan's next step: a probe of /healthz, or a new stream, after its delay. */
  private follow(generation: number, step: ReconnectStep): void {
    if (step.action === 'connect' && step.delayMs === 0) {
      // The server is back: the stream at once.
      this.connect();
      return;
    }
    if (step.action === 'connect')
      this.setState({
        status: 'reconnecting',
        nextRetryAt: Date.now() + step.delayMs,
        detail: 'The event stream was interrupted.',
      });
    else if (this.state.detail !== UNREACHABLE)
      this.setState({ status: 'reconnecting', nextRetryAt: null, detail: UNREACHABLE });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (generation !== this.generation || !this.running) return;
      if (step.action === 'connect') {
        this.connect();
        return;
      }
      this.options.probe().then(
        (answered) => this.afterProbe(generation, answered),
        () => this.afterProbe(generation, false),
      );
    }, step.delayMs);
  }

  private afterProbe(generation: number, answered: boolean): void {
    if (generation !== this.generation || !this.running) return;
    this.follow(generation, this.plan.afterProbe(answered));
  }

  private readonly handleOnline = (): void => {
    if (!this.running || this.state.status === 'signed_out' || this.state.status === 'connected')
      return;
    // The network is back: try at once instead of waiting out the backoff.
    this.plan.reset();
    this.connect();
  };

  private readonly handleOffline = (): void => {
    if (!this.running || this.state.status === 'signed_out') return;
    this.generation++;
    this.clearRetry();
    this.closeSource();
    this.setState({
      status: 'offline',
      nextRetryAt: null,
      detail: 'This computer has no network connection.',
    });
  };

  private setState(state: ConnectionState): void {
    this.state = state;
    this.states.emit(state);
  }

  private clearRetry(): void {
    if (this.retryTimer !== null) clearTimeout(this.retryTimer);
    this.retryTimer = null;
  }

  private closeSource(): void {
    this.source?.close();
    this.source = null;
  }
}

function withLastEventId(url: string, lastEventId: number): string {
  const separator = url.includes('?') ? '&' : '?';
  return `${url}${separator}lastEventId=${lastEventId}`;
}
