import type { Redis, Result } from 'ioredis';
import type { EventPayload } from '../../common/events.js';
import type { Metrics } from '../metrics.js';
import { forEachRecipient } from './fan-out-message.js';
import { FAN_OUT_CHANNEL, fanOutDedupeKey, userChannel, userDedupeKey, userEventsKey, userKey, userSequenceKey } from './keys.js';
import { PUBLISH_BATCH_SCRIPT, PUBLISH_MANY_SCRIPT, PUBLISH_SCRIPT } from './lua.js';

/**
 * Users per fan-out script run: large enough that the per-call cost vanishes, small enough that
 * Redis is never busy with one call for more than a few milliseconds.
 */
const FAN_OUT_BATCH = 500;

/**
 * Fan-out batches handed to Redis at a time. Redis runs every command it has read before it
 * writes anything out, pub/sub messages included: ten batches pipelined at once reached the
 * servers in two clumps, the first after ≈ 20 ms of scripts, while the servers sat idle
 * (bench/RESULTS.md, scenario 3). With two in flight Redis holds at most one batch behind the
 * running one, so each batch goes out as its script ends and the next is already waiting.
 */
const FAN_OUT_BATCHES_IN_FLIGHT = 2;

export interface EventPublisherOptions {
  historyTtlSeconds: number;
  historyLength: number;
}

/** One event of a batch, to one user. */
export interface UserEvent {
  userId: number;
  payload: EventPayload;
  /** As PublishOptions.dedupeKey. */
  dedupeKey?: string;
}

export interface PublishOptions {
  /**
   * Makes a repeated publish of the same event a no-op that returns the first id: the outbox
   * relay passes its row's key, so a crash between publishing and deleting the row cannot
   * notify anyone twice.
   */
  dedupeKey?: string;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulsePublish(
      seqKey: string,
      listKey: string,
      channel: string,
      dedupeKey: string,
      payload: string,
      historyLength: number,
      ttlSeconds: number,
      userKey: string,
    ): Result<string, Context>;
    clinicPulsePublishBatch(historyLength: number, ttlSeconds: number, ...userIdDedupeKeyPayload: string[]): Result<string[], Context>;
    clinicPulsePublishMany(
      channel: string,
      payload: string,
      historyLength: number,
      ttlSeconds: number,
      userIds: string,
      dedupeKey: string,
    ): Result<string, Context>;
  }
}

/**
 * Publishes events to users: one atomic script per user takes the next id, appends the event
 * to the user's history, trims it, refreshes its TTL and PUBLISHes it on the user's channel. A
 * fan-out runs one script per batch of users, two batches in flight at a time; each gives every
 * user of its batch their own id and history entry, then PUBLISHes once, on the shared fan-out
 * channel, for the whole batch.
 */
export class EventPublisher {
  constructor(
    private readonly redis: Redis,
    private readonly options: EventPublisherOptions,
    private readonly metrics?: Metrics,
  ) {
    redis.defineCommand('clinicPulsePublish', { numberOfKeys: 4, lua: PUBLISH_SCRIPT });
    redis.defineCommand('clinicPulsePublishMany', { numberOfKeys: 0, lua: PUBLISH_MANY_SCRIPT });
    redis.defineCommand('clinicPulsePublishBatch', { numberOfKeys: 0, lua: PUBLISH_BATCH_SCRIPT });
  }

  /** Returns the event's id once it is in the user's history and published. */
  async publish(userId: number, payload: EventPayload, options: PublishOptions = {}): Promise<number> {
    const id = await this.redis.clinicPulsePublish(...this.scriptArgs(userId, serialise(payload), options.dedupeKey));
    this.metrics?.eventsPublished.inc({ type: payload.type });
    return Number(id);
  }

  /**
   * Several events, each to its user, in one round trip: as `publish` for each, in the order
   * given, so each user's events keep their order. Returns their ids in that order.
   */
  async publishBatch(events: readonly UserEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    const args: string[] = [];
    for (const { userId, payload, dedupeKey } of events) {
      // The script names keys from the id: anything but digits would name someone else's.
      if (!Number.isSafeInteger(userId) || userId < 0) throw new Error(`not a user id: ${userId}`);
      args.push(String(userId), dedupeKey ?? '', serialise(payload));
    }
    const ids = await this.redis.clinicPulsePublishBatch(this.options.historyLength, this.options.historyTtlSeconds, ...args);
    for (const { payload } of events) this.metrics?.eventsPublished.inc({ type: payload.type });
    return ids.map(Number);
  }

  /**
   * The same event to each user (each gets its own id); ids come back in the users' order. With
   * a dedupe key, publishing the same users the same event again (in the same order) is a no-op
   * for every batch that went out before, returning its first ids.
   */
  async publishToMany(userIds: readonly number[], payload: EventPayload, options: PublishOptions = {}): Promise<number[]> {
    if (userIds.length === 0) return [];
    // The script reads the ids as digits: anything else would be skipped and shift the ids returned.
    const invalid = userIds.find((userId) => !Number.isSafeInteger(userId) || userId < 0);
    if (invalid !== undefined) throw new Error(`not a user id: ${invalid}`);
    const body = serialise(payload);
    const { historyLength, historyTtlSeconds } = this.options;
    const batches: string[] = [];
    for (let start = 0; start < userIds.length; start += FAN_OUT_BATCH) {
      batches.push(userIds.slice(start, start + FAN_OUT_BATCH).join(','));
    }
    const published: string[] = [];
    let next = 0;
    // After a failure no further batch is sent; the caller learns of the first failure.
    let failed = false;
    const sendBatch = async (index: number): Promise<void> => {
      try {
        const dedupeKey = options.dedupeKey ? fanOutDedupeKey(options.dedupeKey, index) : '';
        published[index] = await this.redis.clinicPulsePublishMany(FAN_OUT_CHANNEL, body, historyLength, historyTtlSeconds, batches[index]!, dedupeKey);
      } catch (error) {
        failed = true;
        throw error;
      }
    };
    const sendRemaining = async (): Promise<void> => {
      while (next < batches.length && !failed) await sendBatch(next++);
    };
    // The first batch goes alone: sent together with the second, it would go out only after both scripts.
    await sendBatch(next++);
    await Promise.all(Array.from({ length: FAN_OUT_BATCHES_IN_FLIGHT }, sendRemaining));
    const ids: number[] = [];
    for (const recipients of published) forEachRecipient(recipients, (_userId, eventId) => ids.push(Number(eventId)));
    this.metrics?.eventsPublished.inc({ type: payload.type }, ids.length);
    return ids;
  }

  private scriptArgs(userId: number, body: string, dedupeKey: string | undefined) {
    return [
      userSequenceKey(userId),
      userEventsKey(userId),
      userChannel(userId),
      dedupeKey ? userDedupeKey(userId, dedupeKey) : '',
      body,
      this.options.historyLength,
      this.options.historyTtlSeconds,
      userKey(userId),
    ] as const;
  }
}

/** The script puts `"id":n` first, so readers can take the id without parsing the JSON. */
function serialise(payload: EventPayload): string {
  const { id: _ignored, ...rest } = payload as EventPayload & { id?: unknown };
  return JSON.stringify(rest);
}
