import type { Redis, Result } from 'ioredis';
import type { EventPayload } from '../../common/events.js';
import type { Metrics } from '../metrics.js';
import { forEachRecipient } from './fan-out-message.js';
import { FAN_OUT_CHANNEL, userChannel, userDedupeKey, userEventsKey, userSequenceKey } from './keys.js';
import { PUBLISH_MANY_SCRIPT, PUBLISH_SCRIPT } from './lua.js';

/**
 * Users per fan-out script run: large enough that the per-call cost vanishes, small enough that
 * Redis is never busy with one call for more than a few milliseconds.
 */
const FAN_OUT_BATCH = 500;

export interface EventPublisherOptions {
  historyTtlSeconds: number;
  historyLength: number;
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
    ): Result<string, Context>;
    clinicPulsePublishMany(
      channel: string,
      payload: string,
      historyLength: number,
      ttlSeconds: number,
      userIds: string,
    ): Result<string, Context>;
  }
}

/**
 * Publishes events to users: one atomic script per user takes the next id, appends the event
 * to the user's history, trims it, refreshes its TTL and PUBLISHes it on the user's channel. A
 * fan-out runs one script per batch of users, pipelined into one round trip; each gives every
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
  }

  /** Returns the event's id once it is in the user's history and published. */
  async publish(userId: number, payload: EventPayload, options: PublishOptions = {}): Promise<number> {
    const id = await this.redis.clinicPulsePublish(...this.scriptArgs(userId, serialise(payload), options.dedupeKey));
    this.metrics?.eventsPublished.inc({ type: payload.type });
    return Number(id);
  }

  /** The same event to each user (each gets its own id); ids come back in the users' order. */
  async publishToMany(userIds: readonly number[], payload: EventPayload): Promise<number[]> {
    if (userIds.length === 0) return [];
    // The script reads the ids as digits: anything else would be skipped and shift the ids returned.
    const invalid = userIds.find((userId) => !Number.isSafeInteger(userId) || userId < 0);
    if (invalid !== undefined) throw new Error(`not a user id: ${invalid}`);
    const body = serialise(payload);
    const pipeline = this.redis.pipeline();
    const { historyLength, historyTtlSeconds } = this.options;
    for (let start = 0; start < userIds.length; start += FAN_OUT_BATCH) {
      const batch = userIds.slice(start, start + FAN_OUT_BATCH).join(',');
      pipeline.clinicPulsePublishMany(FAN_OUT_CHANNEL, body, historyLength, historyTtlSeconds, batch);
    }
    const results = (await pipeline.exec()) ?? [];
    const ids: number[] = [];
    for (const [error, published] of results) {
      if (error) throw error;
      forEachRecipient(published as string, (_userId, eventId) => ids.push(Number(eventId)));
    }
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
    ] as const;
  }
}

/** The script puts `"id":n` first, so readers can take the id without parsing the JSON. */
function serialise(payload: EventPayload): string {
  const { id: _ignored, ...rest } = payload as EventPayload & { id?: unknown };
  return JSON.stringify(rest);
}
