import { EventSource, type ErrorEvent, type FetchLike } from 'eventsource';
import type { ConnectionState } from '../../common/desktop-bridge.js';
import {
  CONTROL_EVENT_TYPES,
  STREAM_EVENT_FRAME,
  controlEvent,
  streamEvent,
  type ControlEvent,
  type StreamEvent,
} from '../../common/events.js';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { ReconnectPlan, type ReconnectStep } from '../../common/reconnect-plan.js';
import { DEFAULT_BACKOFF, reconnectTuning, type BackoffOptions } from './backoff.js';
import type { HttpFetch } from './http-fetch.js';
import { safeJson } from '../../common/safe-json.js';

type Received = { event: StreamEvent } | { control: ControlEvent };

/** Three missed server pings (15 s apart by default) mean the connection is dead. */
export const DEFAULT_HEARTBEAT_TIMEOUT_MS = 45_000;
/** A probe of a server that drops packets instead of refusing must not hold up the next. */
const PROBE_TIMEOUT_MS = 2_000;
const UNREACHABLE = 'the server cannot be reached; checking every second or so';

export interface StreamHandlers {
  /**
   * Numbered events, in id order, each once: every event that arrived while the previous call
   * was busy comes in one call, so a replay of a thousand events is a handful of calls that can
   * each commit their effects at once. Awaited one call at a time.
   */
  onEvents(events: readonly StreamEvent[]): Promise<void> | void;
  /** `resync` (reload state over REST) and `ready` (replay is over), in stream order. */
  onControl(control: ControlEvent): Promise<void> | void;
  onState(state: ConnectionState): void;
  /** A frame that does not match the protocol; it is skipped. */
  onProtocolError?(detail: string): void;
}

export interface StreamClientOptions {
  serverUrl: string;
  token: string;
  fetch: HttpFetch;
  /** Where a previous run stopped (the cursor file), or null to start with the held history. */
  lastEventId: number | null;
  handlers: StreamHandlers;
  clock?: Clock;
  random?: () => number;
  backoff?: BackoffOptions;
  heartbeatTimeoutMs?: number;
}

/**
 * One user's event stream, over the `eventsource` package with our own fetch underneath. The
 * library's own retry is never used: it would resend the id it last parsed, not the one we
 * handled (EventSource/eventsource#27), and it cannot back off, watch a heartbeat or stop on
 * 401. So every failure closes the EventSource and this class decides when to open a new one,
 * always sending the last id it tracked itself, by the plan the browser page follows too
 * (common/reconnect-plan.ts): a failure the server answered (a status) backs off; one it did not
 * (no answer, a dropped connection, a silent one) asks `/healthz` at once, and while that goes
 * unanswered every second or so, reopening the stream the moment the server is back.
 */
export class StreamClient {
  private lastId: number | null;
  private readonly clock: Clock;
  private readonly plan: ReconnectPlan;
  private readonly longestDelayMs: number;
  private readonly heartbeatTimeoutMs: number;
  private source: EventSource | undefined;
  /** Bumped per connection, so late callbacks of a closed connection are ignored. */
  private generation = 0;
  private retryTimer: TimerHandle | undefined;
  private heartbeatTimer: TimerHandle | undefined;
  private running = false;
  private networkAvailable = true;
  private open = false;
  /** Received and not yet handed over, in stream order. */
  private readonly received: Received[] = [];
  private processing: Promise<void> = Promise.resolve();
  private draining = false;
  private currentState: ConnectionState = { status: 'connecting', nextRetryAt: null, detail: null };

  constructor(private readonly options: StreamClientOptions) {
    this.lastId = options.lastEventId;
    this.clock = options.clock ?? systemClock;
    this.plan = new ReconnectPlan(
      reconnectTuning(options.backoff ?? DEFAULT_BACKOFF),
      options.random,
    );
    this.longestDelayMs = (options.backoff ?? DEFAULT_BACKOFF).maxMs;
    this.heartbeatTimeoutMs = options.heartbeatTimeoutMs ?? DEFAULT_HEARTBEAT_TIMEOUT_MS;
  }

  get lastEventId(): number | null {
    return this.lastId;
  }

  get state(): ConnectionState {
    return this.currentState;
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.connect('connecting');
  }

  /** Closes the connection for good; resolves once events already received are handled. */
  async stop(): Promise<void> {
    this.running = false;
    this.closeSource();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    await this.idle();
  }

  /** Resolves when every event received so far has been handed to the handlers. */
  idle(): Promise<void> {
    return this.processing;
  }

  /**
   * Drops the connection and opens a new one now: after the computer wakes up (a socket can
   * look open after sleep and be dead) or when the network comes back.
   */
  reconnectNow(reason: string): void {
    if (!this.running) return;
    this.plan.reset();
    this.closeSource();
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    this.connect('reconnecting', reason);
  }

  /** The OS's view of the network; going online reconnects at once unless already connected. */
  setNetworkAvailable(available: boolean): void {
    const wasAvailable = this.networkAvailable;
    this.networkAvailable = available;
    if (!this.running) return;
    if (available && !wasAvailable && !this.open) this.reconnectNow('network is back');
    else if (!available && !this.open)
      this.setState({
        status: 'offline',
        nextRetryAt: this.currentState.nextRetryAt,
        detail: 'no network',
      });
  }

  private connect(status: 'connecting' | 'reconnecting', detail: string | null = null): void {
    const generation = ++this.generation;
    this.open = false;
    this.setState({ status, nextRetryAt: null, detail });
    this.armHeartbeat(generation, 'the server did not answer');
    const source = new EventSource(new URL('/api/events/stream', this.options.serverUrl), {
      fetch: this.fetchFor(generation),
    });
    this.source = source;
    source.addEventListener('open', () => {
      if (generation !== this.generation) return;
      this.open = true;
      this.setState({ status: 'connected', nextRetryAt: null, detail: null });
    });
    source.addEventListener('error', (event) => {
      if (generation === this.generation) this.connectionFailed(event);
    });
    // Numbered events come unnamed, their type in the data; control frames are named.
    source.addEventListener(STREAM_EVENT_FRAME, (message) => {
      if (generation === this.generation) this.receiveEvent(message);
    });
    for (const type of CONTROL_EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        if (generation === this.generation) this.receiveControl(message);
      });
    }
  }

  /** Our own request: the bearer token, the id we tracked, and a body that feeds the heartbeat. */
  private fetchFor(generation: number): FetchLike {
    return async (url, init) => {
      const headers: Record<string, string> = {
        Accept: 'text/event-stream',
        'Cache-Control': 'no-cache',
        Authorization: `Bearer ${this.options.token}`,
      };
      if (this.lastId !== null) headers['Last-Event-ID'] = String(this.lastId);
      const response = await this.options.fetch(String(url), {
        method: 'GET',
        headers,
        signal: init.signal,
        redirect: 'follow',
      });
      if (response.status !== 200 || !response.body) {
        await response.body?.cancel().catch(() => undefined);
        return {
          status: response.status,
          url: response.url,
          redirected: response.redirected,
          headers: response.headers,
          body: null,
        };
      }
      this.armHeartbeat(generation, 'no heartbeat from the server');
      const body = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform: (chunk, controller) => {
            // Any bytes, `: ping` comments included, prove the connection is alive.
            this.armHeartbeat(generation, 'no heartbeat from the server');
            controller.enqueue(chunk);
          },
        }),
      );
      return {
        status: response.status,
        url: response.url,
        redirected: response.redirected,
        headers: response.headers,
        body,
      };
    };
  }

  private armHeartbeat(generation: number, detail: string): void {
    // A replaced connection's body can still deliver bytes until its abort is felt; they prove
    // nothing about the new connection and must not move its deadline.
    if (generation !== this.generation) return;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = this.clock.setTimeout(() => {
      if (generation === this.generation && this.running)
        this.connectionLost(`${detail} for ${Math.round(this.heartbeatTimeoutMs / 1000)} s`);
    }, this.heartbeatTimeoutMs);
  }

  private receiveEvent(message: MessageEvent): void {
    const frameId = Number(message.lastEventId);
    const parsed = streamEvent.safeParse(safeJson(message.data));
    if (!parsed.success || parsed.data.id !== frameId) {
      this.options.handlers.onProtocolError?.(
        `unreadable ${message.type} frame (id ${message.lastEventId || 'none'})`,
      );
      if (Number.isSafeInteger(frameId) && frameId > (this.lastId ?? 0)) this.lastId = frameId;
      return;
    }
    const event = parsed.data;
    // Ids only grow; anything at or below the last one is a repeat and is dropped here.
    if (this.lastId !== null && event.id <= this.lastId) return;
    this.lastId = event.id;
    this.enqueue({ event });
  }

  private receiveControl(message: MessageEvent): void {
    const parsed = controlEvent.safeParse(safeJson(message.data));
    if (!parsed.success || parsed.data.type !== message.type) {
      this.options.handlers.onProtocolError?.(`unreadable ${message.type} frame`);
      return;
    }
    const control = parsed.data;
    // The server continues after a resync from its `lastEventId`; so must our position.
    if (control.type === 'resync') this.lastId = control.lastEventId;
    // The server authenticated us and replayed what we missed: this connection is good.
    if (control.type === 'ready') this.plan.connected();
    this.enqueue({ control });
  }

  private enqueue(item: Received): void {
    this.received.push(item);
    if (this.draining) return;
    this.draining = true;
    this.processing = this.drain();
  }

  /**
   * Hands over what was received, oldest first: a control frame alone, and each run of events
   * between control frames in one call. Started a microtask late, so that every frame of the
   * chunk being parsed is already here.
   */
  private async drain(): Promise<void> {
    await Promise.resolve();
    for (let next = this.takeNext(); next; next = this.takeNext()) {
      try {
        if ('control' in next) await this.options.handlers.onControl(next.control);
        else await this.options.handlers.onEvents(next.events);
      } catch (error) {
        this.options.handlers.onProtocolError?.(
          `handler failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }
    this.draining = false;
  }

  /** The oldest control frame, or the run of events before the next one. */
  private takeNext(): { control: ControlEvent } | { events: StreamEvent[] } | null {
    const first = this.received[0];
    if (!first) return null;
    if ('control' in first) {
      this.received.shift();
      return first;
    }
    const end = this.received.findIndex((item) => 'control' in item);
    const run = this.received.splice(0, end === -1 ? this.received.length : end);
    return { events: run.flatMap((item) => ('event' in item ? [item.event] : [])) };
  }

  private connectionFailed(event: ErrorEvent): void {
    if (event.code === 401 || event.code === 403) {
      this.running = false;
      this.closeSource();
      this.setState({
        status: 'signed_out',
        nextRetryAt: null,
        detail:
          event.code === 401
            ? 'your session has ended; please sign in again'
            : 'this account may not receive events',
      });
      return;
    }
    if (event.code) this.connectionLost(`the server answered ${event.code}`, true);
    else this.connectionLost(event.message ?? 'connection lost');
  }

  /**
   * `serverAnswered`: the failure was the server's answer (a status), so the stream itself is
   * the trouble; otherwise `/healthz` says whether the server is there at all.
   */
  private connectionLost(detail: string, serverAnswered?: boolean): void {
    this.closeSource();
    if (!this.running) return;
    this.retryTimer?.cancel();
    this.retryTimer = undefined;
    if (!this.networkAvailable) {
      this.retryWhenOffline(detail);
      return;
    }
    if (serverAnswered) {
      this.follow(this.plan.afterStreamFailure(true), detail);
      return;
    }
    this.setState({ status: 'reconnecting', nextRetryAt: null, detail });
    const generation = this.generation;
    void this.probe().then((answered) => {
      if (generation === this.generation && this.running)
        this.follow(this.plan.afterStreamFailure(answered), detail);
    });
  }

  /** Offline, the OS tells us when the network is back; the slow retry covers it being wrong. */
  private retryWhenOffline(detail: string): void {
    const nextRetryAt = this.clock.now() + this.longestDelayMs;
    this.setState({ status: 'offline', nextRetryAt, detail });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (this.running) this.connect('reconnecting', detail);
    }, this.longestDelayMs);
  }

  /** Carries out the plan's next step: a new stream, or a probe, after its delay. */
  private follow(step: ReconnectStep, detail: string): void {
    if (!this.networkAvailable) {
      this.retryWhenOffline(detail);
      return;
    }
    if (step.action === 'connect' && step.delayMs === 0) {
      this.connect('reconnecting', 'the server is back');
      return;
    }
    const generation = this.generation;
    if (step.action === 'connect')
      this.setState({
        status: 'reconnecting',
        nextRetryAt: this.clock.now() + step.delayMs,
        detail,
      });
    else this.setState({ status: 'reconnecting', nextRetryAt: null, detail: UNREACHABLE });
    this.retryTimer = this.clock.setTimeout(() => {
      this.retryTimer = undefined;
      if (generation !== this.generation || !this.running) return;
      if (step.action === 'connect') {
        this.connect('reconnecting', detail);
        return;
      }
      void this.probe().then((answered) => {
        if (generation === this.generation && this.running)
          this.follow(this.plan.afterProbe(answered), detail);
      });
    }, step.delayMs);
  }

  /** `GET /healthz`: whether the server answers at all (no session, nothing read). */
  private async probe(): Promise<boolean> {
    try {
      const response = await this.options.fetch(new URL('/healthz', this.options.serverUrl).href, {
        method: 'GET',
        signal: AbortSignal.timeout(PROBE_TIMEOUT_MS),
      });
      await response.body?.cancel().catch(() => undefined);
      return response.ok;
    } catch {
      return false;
    }
  }

  private closeSource(): void {
    this.generation++;
    this.open = false;
    this.heartbeatTimer?.cancel();
    this.heartbeatTimer = undefined;
    this.source?.close();
    this.source = undefined;
  }

  private setState(state: ConnectionState): void {
    const same =
      state.status === this.currentState.status &&
      state.nextRetryAt === this.currentState.nextRetryAt &&
      state.detail === this.currentState.detail;
    this.currentState = state;
    if (!same) this.options.handlers.onState(state);
  }
}

