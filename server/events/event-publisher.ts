import type { Result } from 'ioredis';
import type { EventPayload, PresenceChangedControl } from '../../common/events.js';
import type { Metrics } from '../metrics.js';
import type { RedisClient } from '../redis-client.js';
import { forEachRecipient } from './fan-out-message.js';
import { SINGLE_REDIS_KEYS, type KeySpace } from './keys.js';
import { eventScripts } from './lua.js';
import { asCopyOf } from './stored-event.js';

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
  /** How keys and channels are named: one Redis (the default) or a cluster. */
  keys?: KeySpace;
}

/** One event of a batch, to one user. */
export interface UserEvent {
  userId: number;
  payload: EventPayload;
  /** As PublishOptions.dedupeKey. */
  dedupeKey?: string;
  /**
   * The id this event had when first published: set when it is published again after a Redis
   * loss, so that should it really be stored again (its dedupe key is gone too), it is marked as
   * a copy and skipped for every client that had the first (stored-event.ts asCopyOf).
   */
  firstId?: number;
}

export interface PublishOptions {
  /**
   * Makes a repeated publish of the same event a no-op that returns the first id: the outbox
   * relay passes its row's key, so a crash between publishing and deleting the row cannot
   * notify anyone twice.
   */
  dedupeKey?: string;
}

export interface FanOutOptions extends PublishOptions {
  /**
   * In the users' order, the id each one's event had when first published: set when the same
   * event goes out again after a Redis loss, so that a batch Redis really lost (its dedupe key
   * gone too) is stored as copies, skipped for every client that had the first (as
   * UserEvent.firstId). Unknown ones may be missing.
   */
  firstIds?: ReadonlyArray<number | undefined>;
}

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulsePublish(
      seqKey: string,
      listKey: string,
      payload: string,
      historyLength: number,
      ttlSeconds: number,
      userKey: string,
      dedupeKey: string,
    ): Result<string, Context>;
    /** First how many routing keys follow (none on one Redis, the group's prefix on a cluster), then those, then ARGV. */
    clinicPulsePublishBatch(...keyCountKeysArgs: (string | number)[]): Result<string[], Context>;
    /** As clinicPulsePublishBatch: the routing keys first. */
    clinicPulsePublishMany(...keyCountKeysArgs: (string | number)[]): Result<string, Context>;
  }
}

/**
 * Publishes events to users: one atomic script per user takes the next id, appends the event
 * to the user's history, trims it, refreshes its TTL and PUBLISHes it on the user's channel. A
 * fan-out runs one script per batch of users, two batches in flight at a time; each gives every
 * user of its batch their own id and history entry, then PUBLISHes once, on the fan-out
 * channel, for the whole batch. On a cluster a batch holds users of one group only (their keys
 * share a slot), and channels are sharded (SPUBLISH).
 */
export class EventPublisher {
  readonly keys: KeySpace;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: EventPublisherOptions,
    private readonly metrics?: Metrics,
  ) {
    this.keys = options.keys ?? SINGLE_REDIS_KEYS;
    const scripts = eventScripts(this.keys);
    redis.defineCommand('clinicPulsePublish', { numberOfKeys: 2, lua: scripts.publish });
    redis.defineCommand('clinicPulsePublishMany', { lua: scripts.publishMany });
    redis.defineCommand('clinicPulsePublishBatch', { lua: scripts.publishBatch });
  }

  /** Returns the event's id once it is in the user's history and published. */
  async publish(userId: number, payload: EventPayload, options: PublishOptions = {}): Promise<number> {
    const { keys } = this;
    const id = await this.redis.clinicPulsePublish(
      keys.userSequenceKey(userId),
      keys.userEventsKey(userId),
      serialise(payload),
      this.options.historyLength,
      this.options.historyTtlSeconds,
      keys.userKey(userId),
      options.dedupeKey ?? '',
    );
    this.metrics?.eventsPublished.inc({ type: payload.type });
    return Number(id);
  }

  /**
   * Several events, each to its user, in one round trip (one per group on a cluster): as
   * `publish` for each, in the order given, so each user's events keep their order. Returns
   * their ids in that order.
   */
  async publishBatch(events: readonly UserEvent[]): Promise<number[]> {
    if (events.length === 0) return [];
    const groups = new Map<number, { args: string[]; positions: number[] }>();
    events.forEach(({ userId, payload, dedupeKey, firstId }, position) => {
      // The script names keys from the id: anything but digits would name someone else's.
      if (!Number.isSafeInteger(userId) || userId < 0) throw new Error(`not a user id: ${userId}`);
      const group = this.keys.groupOf(userId);
      let batch = groups.get(group);
      if (!batch) groups.set(group, (batch = { args: [], positions: [] }));
      const body = serialise(payload);
      batch.args.push(String(userId), dedupeKey ?? '', firstId === undefined ? body : asCopyOf(body, firstId));
      batch.positions.push(position);
    });
    const { historyLength, historyTtlSeconds } = this.options;
    const ids: number[] = new Array<number>(events.length);
    await Promise.all(
      [...groups].map(async ([group, { args, positions }]) => {
        const prefix = this.keys.userPrefixOf(group);
        const published = await this.redis.clinicPulsePublishBatch(...this.routing(prefix), prefix, historyLength, historyTtlSeconds, ...args);
        published.forEach((id, i) => (ids[positions[i]!] = Number(id)));
      }),
    );
    for (const { payload } of events) this.metrics?.eventsPublished.inc({ type: payload.type });
    return ids;
  }

  /**
   * The same event to each user (each gets its own id); ids come back in the users' order. With
   * a dedupe key, publishing the same users the same event again (in the same order) is a no-op
   * for every batch that went out before, returning its first ids.
   */
  async publishToMany(userIds: readonly number[], payload: EventPayload, options: FanOutOptions = {}): Promise<number[]> {
    if (userIds.length === 0) return [];
    // The script reads the ids as digits: anything else would be skipped and shift the ids returned.
    const invalid = userIds.find((userId) => !Number.isSafeInteger(userId) || userId < 0);
    if (invalid !== undefined) throw new Error(`not a user id: ${invalid}`);
    const body = serialise(payload);
    const { historyLength, historyTtlSeconds } = this.options;
    const batches = this.fanOutBatches(userIds, options.firstIds);
    const published: string[] = [];
    let next = 0;
    // After a failure no further batch is sent; the caller learns of the first failure.
    let failed = false;
    const sendBatch = async (index: number): Promise<void> => {
      const { group, users, firsts, number } = batches[index]!;
      try {
        const prefix = this.keys.userPrefixOf(group);
        const dedupeKey = options.dedupeKey ? this.keys.fanOutDedupeKey(group, options.dedupeKey, number) : '';
        published[index] = await this.redis.clinicPulsePublishMany(
          ...this.routing(prefix),
          prefix,
          this.keys.fanOutChannel(group),
          body,
          historyLength,
          historyTtlSeconds,
          users,
          dedupeKey,
          firsts,
        );
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
    const ids = new Map<number, number[]>();
    // Users come back per batch; a user listed twice got two events, handed back in the order listed.
    for (const recipients of published) {
      forEachRecipient(recipients, (userId, eventId) => {
        const user = Number(userId);
        const list = ids.get(user);
        if (list) list.push(Number(eventId));
        else ids.set(user, [Number(eventId)]);
      });
    }
    const taken = new Map<number, number>();
    const inOrder = userIds.map((user) => {
      const index = taken.get(user) ?? 0;
      taken.set(user, index + 1);
      return ids.get(user)![index]!;
    });
    this.metrics?.eventsPublished.inc({ type: payload.type }, inOrder.length);
    return inOrder;
  }

  /**
   * Sends `message` on the user's own channel, where every server holding a stream of the user
   * hears it (stream-revocation.ts); it is no event and is stored nowhere.
   */
  async announce(userId: number, message: string): Promise<void> {
    const channel = this.keys.userKey(userId);
    if (this.keys.publishCommand === 'SPUBLISH') await this.redis.spublish(channel, message);
    else await this.redis.publish(channel, message);
  }

  /**
   * A control frame for every open stream on every process, now (keys.ts LIVE_CHANNEL): it is
   * no event, has no id and is stored nowhere.
   */
  async publishLive(control: PresenceChangedControl): Promise<void> {
    const message = JSON.stringify(control);
    if (this.keys.publishCommand === 'SPUBLISH') await this.redis.spublish(this.keys.liveChannel, message);
    else await this.redis.publish(this.keys.liveChannel, message);
  }

  /**
   * The users in batches of at most FAN_OUT_BATCH, each of one group (all of them on one Redis),
   * numbered within their group: the dedupe key of a batch names its group and number, so the
   * same notice to the same users makes the same batches again.
   */
  private fanOutBatches(userIds: readonly number[], firstIds?: FanOutOptions['firstIds']): { group: number; users: string; firsts: string; number: number }[] {
    const byGroup = new Map<number, { users: number[]; firsts: number[] }>();
    userIds.forEach((userId, position) => {
      const group = this.keys.groupOf(userId);
      let members = byGroup.get(group);
      if (!members) byGroup.set(group, (members = { users: [], firsts: [] }));
      members.users.push(userId);
      if (firstIds) members.firsts.push(firstIds[position] ?? 0);
    });
    const batches: { group: number; users: string; firsts: string; number: number }[] = [];
    for (const [group, { users, firsts }] of byGroup) {
      for (let start = 0; start < users.length; start += FAN_OUT_BATCH) {
        batches.push({
          group,
          users: users.slice(start, start + FAN_OUT_BATCH).join(','),
          firsts: firstIds ? firsts.slice(start, start + FAN_OUT_BATCH).join(',') : '',
          number: start / FAN_OUT_BATCH,
        });
      }
    }
    return batches;
  }

  /** The declared keys of a script run for a group: none on one Redis, whose scripts need no routing. */
  private routing(prefix: string): (string | number)[] {
    return this.keys.mode === 'cluster' ? [1, prefix] : [0];
  }
}

/** The script puts `"id":n` first, so readers can take the id without parsing the JSON. */
function serialise(payload: EventPayload): string {
  const { id: _ignored, ...rest } = payload as EventPayload & { id?: unknown };
  return JSON.stringify(rest);
}
