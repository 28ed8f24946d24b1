import type { Logger } from 'pino';
import { presenceChangedPayload } from '../../common/events.js';
import { safeJson } from '../../common/safe-json.js';
import { formatSseComment, formatSseFrame } from '../../common/sse.js';
import type { Metrics } from '../metrics.js';
import { withTimeout } from '../with-timeout.js';
import type { BareEventAdoption } from './bare-event-adoption.js';
import type { ChannelSubscriber } from './channel-subscriber.js';
import { bodyPiece, type BodyPiece } from './chunked-body.js';
import { readFanOutMessage } from './fan-out-message.js';
import { SINGLE_REDIS_KEYS, type KeySpace } from './keys.js';
import { frameStoredEvent, type StoredEvent } from './stored-event.js';
import { REVOKE_STREAMS_MESSAGE, revokedSessionId } from './stream-revocation.js';
import type { StreamCloseReason, StreamSession } from './stream-session.js';

/** Streams pinged (or sent a live control frame) per turn of the event loop. */
const SESSIONS_PER_SLICE = 256;

/** What the live channel carries. */
const liveControl = presenceChangedPayload;

interface UserStreams {
  sessions: Set<StreamSession>;
  /** Resolves once Redis confirmed the SUBSCRIBE, i.e. once no later publish can be missed. */
  subscribed: Promise<unknown>;
}

export interface EventHubOptions {
  metrics: Metrics;
  logger: Logger;
  heartbeatSeconds?: number;
  /**
   * Which of these sessions are still valid (asked of the database every `sessionCheckSeconds`):
   * a stream whose session was signed out, expired or whose user was disabled ends even when the
   * revocation sent through Redis never arrived.
   */
  stillValid?: (sessionIds: readonly number[]) => Set<number>;
  sessionCheckSeconds?: number;
  /**
   * Bare JSON on a user's channel (the original system's publisher) goes here to get an id;
   * it then comes back on the channel as an event. Without it, such messages are dropped.
   */
  adoption?: Pick<BareEventAdoption, 'adopt'>;
  /** How channels are named: one Redis (the default) or a cluster. */
  keys?: KeySpace;
}

/** How often streams are checked for sessions that expired: they end within this of it. */
const EXPIRY_CHECK_MS = 1_000;

/**
 * How long a new stream waits for a subscriber that is still connecting (at start, or the first
 * moments after a failover) before it is refused with a 503 the client retries.
 */
const SUBSCRIBER_WAIT_MS = 2_000;

/**
 * The process's Redis subscriber (one connection, or on a cluster one per shard) and the streams
 * open on this process. A user's channel is subscribed while at least one of their streams is
 * open here, the fan-out channels (one, or on a cluster one per group of users) all the time.
 * Each published event is framed once per user and written to every local stream of its user.
 */
export class EventHub {
  private readonly users = new Map<string, UserStreams>();
  /**
   * The fan-out channel's SUBSCRIBE on the current connection. From a drop (or the start) until
   * the connection is ready, a promise that waits for the SUBSCRIBE readiness sends: a stream
   * registered meanwhile must not read its history before the fan-out channel is back.
   */
  private fanOutSubscribed!: Promise<unknown>;
  /** Whether the fan-out channels are subscribed on the current connection: streams can open. */
  private live = false;
  /** Set while fanOutSubscribed waits for the connection to be ready. */
  private onFanOutSubscribe: ((subscribed: Promise<unknown>) => void) | undefined;
  private readonly heartbeat: NodeJS.Timeout | undefined;
  private readonly sessionChecks: NodeJS.Timeout[] = [];
  private readonly metrics: Metrics;
  private readonly logger: Logger;
  private readonly adoption: Pick<BareEventAdoption, 'adopt'> | undefined;
  private readonly keys: KeySpace;
  private closing = false;

  /**
   * The subscriber must not resubscribe by itself: events published while it was disconnected
   * would never reach live streams. On `close` every stream is ended, so clients reconnect and
   * replay from history instead, which is exact.
   */
  constructor(
    private readonly subscriber: ChannelSubscriber,
    options: EventHubOptions,
  ) {
    this.metrics = options.metrics;
    this.logger = options.logger;
    this.adoption = options.adoption;
    this.keys = options.keys ?? SINGLE_REDIS_KEYS;
    subscriber.on('message', (channel: string, message: string) => this.dispatch(channel, message));
    this.waitForFanOutSubscribe();
    subscriber.on('ready', () => this.subscribeFanOut());
    subscriber.on('close', () => {
      this.waitForFanOutSubscribe();
      this.dropAll('redis_lost');
    });
    if (subscriber.status === 'ready') this.subscribeFanOut();
    if (options.heartbeatSeconds) {
      const ping = bodyPiece(formatSseComment('ping'));
      this.heartbeat = setInterval(() => this.broadcast(ping), options.heartbeatSeconds * 1000);
      this.heartbeat.unref();
    }
    this.sessionChecks.push(setInterval(() => this.endWhere((session) => session.expiresAtMs <= Date.now()), EXPIRY_CHECK_MS));
    const { stillValid, sessionCheckSeconds } = options;
    if (stillValid && sessionCheckSeconds) {
      this.sessionChecks.push(setInterval(() => this.endInvalidSessions(stillValid), sessionCheckSeconds * 1000));
    }
    for (const timer of this.sessionChecks) timer.unref();
  }

  openStreamCount(): number {
    let count = 0;
    for (const user of this.users.values()) count += user.sessions.size;
    return count;
  }

  streamCountFor(userId: number): number {
    return this.users.get(String(userId))?.sessions.size ?? 0;
  }

  /**
   * Adds a stream and resolves once both its user's channel and the fan-out channel are
   * subscribed, i.e. once no later publish to this user can be missed: only then may the caller
   * read the history.
   */
  async register(session: StreamSession): Promise<void> {
    if (this.closing) throw new Error('event hub is closing');
    if (this.subscriber.status !== 'ready') await this.whenLive(SUBSCRIBER_WAIT_MS);
    const key = String(session.userId);
    let user = this.users.get(key);
    if (!user) {
      user = { sessions: new Set(), subscribed: this.subscriber.subscribe(this.keys.userKey(key)) };
      this.users.set(key, user);
    }
    user.sessions.add(session);
    this.metrics.openStreams.inc();
    try {
      await Promise.all([user.subscribed, this.fanOutSubscribed]);
    } catch (error) {
      this.unregister(session);
      throw error;
    }
  }

  /** Whether streams can open here now: the subscriber is ready and the fan-out channels subscribed. */
  isLive(): boolean {
    return this.live && this.subscriber.status === 'ready';
  }

  /** Resolves once streams can open here (`isLive`); rejects after `timeoutMs`. */
  async whenLive(timeoutMs: number): Promise<void> {
    await withTimeout(this.fanOutSubscribed, timeoutMs, `Redis subscriber not ready within ${timeoutMs} ms`);
  }

  /** Called by a session when it closes, whatever the reason. */
  readonly unregister = (session: StreamSession, reason?: StreamCloseReason): void => {
    const key = String(session.userId);
    const user = this.users.get(key);
    if (!user?.sessions.delete(session)) return;
    this.metrics.openStreams.dec();
    if (reason === 'slow_client') this.metrics.slowClientsClosed.inc();
    if (session.began) {
      this.logger[reason === 'slow_client' ? 'warn' : 'info'](
        { userId: session.userId, reason, lastEventId: session.lastId },
        'event stream closed',
      );
    }
    if (user.sessions.size === 0) {
      this.users.delete(key);
      if (this.subscriber.status === 'ready') {
        this.subscriber.unsubscribe(this.keys.userKey(key)).catch((error: unknown) => {
          this.logger.warn({ err: error, userId: key }, 'unsubscribe failed');
        });
      }
    }
  };

  /** Ends every stream cleanly (shutdown); clients reconnect to another process or later. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const timer of this.sessionChecks) clearInterval(timer);
    this.dropAll('shutdown');
  }

  /** Registrations from now on wait for the fan-out SUBSCRIBE that the next readiness sends. */
  private waitForFanOutSubscribe(): void {
    this.live = false;
    if (this.onFanOutSubscribe) return;
    this.fanOutSubscribed = new Promise((resolve) => (this.onFanOutSubscribe = resolve));
    // A failure reaches the registrations waiting for it; nothing else may leave it unhandled.
    this.fanOutSubscribed.catch(() => undefined);
  }

  /** Sent on every readiness: autoResubscribe is off, and a new connection has no channels. */
  private subscribeFanOut(): void {
    const subscribed = this.subscriber.subscribe(...this.keys.fanOutChannels, this.keys.liveChannel);
    subscribed.then(
      () => {
        if (this.fanOutSubscribed === subscribed) this.live = true;
      },
      (error: unknown) => this.logger.warn({ err: error }, 'fan-out channel subscribe failed'),
    );
    this.onFanOutSubscribe?.(subscribed);
    this.onFanOutSubscribe = undefined;
    this.fanOutSubscribed = subscribed;
  }

  /**
   * A user's events arrive here in id order, whether on their own channel or in a fan-out: each
   * id is taken by the script that PUBLISHes it, scripts run one at a time, and Redis sends one
   * connection its messages in the order the PUBLISHes ran, whatever the channel. That is why
   * both kinds of channel share this one connection: on two, a fan-out could overtake an older
   * single event, and the session, which writes only ids above its last, would drop the older.
   * On a cluster a user's channel and their group's fan-out channel share a slot, so both come
   * from one shard over one connection, in the order that shard ran them.
   */
  private dispatch(channel: string, message: string): void {
    const owner = this.keys.channelOwner(channel);
    if (owner?.kind === 'fanout') {
      this.dispatchFanOut(message);
      return;
    }
    if (owner?.kind === 'live') {
      this.dispatchLive(message);
      return;
    }
    const userId = owner?.userId;
    const user = userId === undefined ? undefined : this.users.get(userId);
    if (userId === undefined || !user) return;
    if (message === REVOKE_STREAMS_MESSAGE) {
      for (const session of [...user.sessions]) session.close('revoked');
      return;
    }
    const signedOut = revokedSessionId(message);
    if (signedOut !== null) {
      for (const session of [...user.sessions]) if (session.sessionId === signedOut) session.close('session_ended');
      return;
    }
    const event = frameStoredEvent(message);
    if (event) {
      this.countDelivered(deliver(user.sessions, event));
    } else if (message.startsWith('{') && this.adoption) {
      this.adopt(this.adoption, userId, message);
    } else {
      this.logger.warn({ channel }, 'ignored a message that is not a stored event');
    }
  }

  /**
   * Every server with a stream of this user gets the same bare message; the script adopts it
   * once. Should it fail here, the copy the original publisher pushes onto the list is adopted
   * when the list is next written or a stream connects.
   */
  private adopt(adoption: Pick<BareEventAdoption, 'adopt'>, userId: string, message: string): void {
    adoption.adopt(userId, message).then(
      (id) => {
        if (id !== null) this.logger.debug({ userId, eventId: id }, 'adopted an event published the original way');
      },
      (error: unknown) => this.logger.warn({ err: error, userId }, 'could not adopt an event published the original way; it is adopted from the history later'),
    );
  }

  /** A control frame for every stream here, framed once (keys.ts LIVE_CHANNEL). */
  private dispatchLive(message: string): void {
    const control = liveControl.safeParse(safeJson(message));
    if (!control.success) {
      this.logger.warn('ignored a message on the live channel that is not a control frame');
      return;
    }
    const piece = bodyPiece(formatSseFrame({ event: control.data.type, data: message }));
    this.forEachSession((session) => session.writeControl(piece));
  }

  /** Frames the event once per user with streams here; any other recipient costs one lookup. */
  private dispatchFanOut(message: string): void {
    const fanOut = readFanOutMessage(message);
    if (!fanOut) {
      this.logger.warn('ignored a message on a fan-out channel that is not a fan-out');
      return;
    }
    let delivered = 0;
    fanOut.forEachRecipient((userId, eventId) => {
      const user = this.users.get(userId);
      if (user) delivered += deliver(user.sessions, fanOut.eventFor(eventId));
    });
    this.countDelivered(delivered);
  }

  private countDelivered(delivered: number): void {
    if (delivered > 0) this.metrics.eventsDelivered.inc(delivered);
  }

  /**
   * Pings in slices, yielding to the event loop between them: one synchronous pass over thousands
   * of sockets would hold every live event back for that long, every heartbeat.
   */
  private broadcast(ping: BodyPiece): void {
    this.forEachSession((session) => session.heartbeat(ping));
  }

  /** Every stream here, a slice per turn of the event loop, so live events are not held behind thousands of writes. */
  private forEachSession(write: (session: StreamSession) => void): void {
    const sessions: StreamSession[] = [];
    for (const user of this.users.values()) for (const session of user.sessions) sessions.push(session);
    const writeSlice = (from: number): void => {
      const to = Math.min(sessions.length, from + SESSIONS_PER_SLICE);
      for (let i = from; i < to; i++) write(sessions[i]!);
      if (to < sessions.length) setImmediate(writeSlice, to);
    };
    writeSlice(0);
  }

  /** Runs every second over every stream: it copies nothing unless a stream has to end. */
  private endWhere(ended: (session: StreamSession) => boolean): void {
    const ending: StreamSession[] = [];
    for (const user of this.users.values()) for (const session of user.sessions) if (ended(session)) ending.push(session);
    for (const session of ending) session.close('session_ended');
  }

  private endInvalidSessions(stillValid: (sessionIds: readonly number[]) => Set<number>): void {
    const open = new Set<number>();
    for (const user of this.users.values()) for (const session of user.sessions) open.add(session.sessionId);
    if (open.size === 0) return;
    let valid: Set<number>;
    try {
      valid = stillValid([...open]);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not check the sessions of open streams');
      return;
    }
    this.endWhere((session) => !valid.has(session.sessionId));
  }

  private dropAll(reason: StreamCloseReason): void {
    for (const user of [...this.users.values()]) for (const session of [...user.sessions]) session.close(reason);
  }
}

/** Returns how many of the sessions wrote the event now (the others hold it, or had it). */
function deliver(sessions: Set<StreamSession>, event: StoredEvent): number {
  let delivered = 0;
  for (const session of sessions) if (session.deliver(event)) delivered++;
  return delivered;
}
