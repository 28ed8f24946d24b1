/**
 * Redis key and channel names, in one place, chosen by how Redis is deployed (`KeySpace`).
 *
 * On one Redis (the default) they are the original system's: `user:<id>` channel, `user:<id>:events`
 * list, so `redis-cli keys "user:*"` and `subscribe user:<id>` keep working and its publisher
 * works unchanged (issue 14). That channel carries the events published to that one user;
 * fan-outs go on FAN_OUT_CHANNEL.
 *
 * On a Redis Cluster every key a script touches must be in one hash slot. A user's keys carry the
 * hash tag of their bucket, `{u<id mod CLUSTER_BUCKETS>}`: `{u42}:user:106:events`. Every key of
 * one user is in one slot (each publish and snapshot stays one script), and so are all users of
 * one bucket, so a fan-out is one script per bucket and one sharded PUBLISH on the bucket's own
 * fan-out channel `{u42}:fanout`, on the shard that holds those users.
 */
export const USER_PREFIX = 'user:';
export const EVENTS_SUFFIX = ':events';
export const SEQUENCE_SUFFIX = ':seq';
/**
 * The first entry of a history list, `{"history_after":<id>}`: the id of the event before its
 * first one (see lua.ts). JSON, so a reader that parses every entry (the original system's
 * replay, an operator's script) still can; it has no `type`, so no client takes it for an event.
 */
export const HISTORY_BASE_PREFIX = '{"history_after":';

/**
 * `user:<id>:adopted:<sha1>`: claims an event the original system's publisher sent as bare JSON,
 * so that it is adopted once (lua.ts).
 */
export const ADOPTED_SUFFIX = ':adopted:';
/** The original publisher's `EXPIRE user:<id>:events 3600`, whatever ClinicPulse's own TTL. */
export const ORIGINAL_HISTORY_TTL_SECONDS = 3600;
/** `user:<id>:dedupe:<key>`: the id an event published under that key was given (lua.ts names it too). */
export const DEDUPE_INFIX = ':dedupe:';

/**
 * Buckets of users on a cluster. 64 spreads evenly over up to 64 primaries (three get 22/21/21)
 * and keeps a fan-out to 5,000 users at 64 scripts of ~80 users and 64 messages per server,
 * where one slot per user would make it 5,000 of each (see server/events/README.md).
 */
export const CLUSTER_BUCKETS = 64;

/** Where a message received on a channel goes. */
export type ChannelOwner = { kind: 'user'; userId: string } | { kind: 'fanout' } | { kind: 'live' };

/** How the keys of users and channels are named, and published to, for one deployment. */
export interface KeySpace {
  readonly mode: 'single' | 'cluster';
  /** `PUBLISH`, or on a cluster `SPUBLISH`: sharded, sent only to the shard that holds the channel. */
  readonly publishCommand: 'PUBLISH' | 'SPUBLISH';
  /** The prefix of every key of the user; also the user's channel (scripts rely on that). */
  userKey(userId: number | string): string;
  userEventsKey(userId: number | string): string;
  userSequenceKey(userId: number | string): string;
  userReadKey(userId: number | string): string;
  userDedupeKey(userId: number | string, key: string): string;
  /** The group of users whose keys share a slot: one script may touch several of them. */
  groupOf(userId: number): number;
  /** What scripts put before a user id to name the keys of a user of this group (`user:`). */
  userPrefixOf(group: number): string;
  fanOutChannel(group: number): string;
  /** Every fan-out channel: each server process subscribes to all of them. */
  readonly fanOutChannels: readonly string[];
  /** Control frames for every open stream, stored nowhere (LIVE_CHANNEL); each process subscribes to it. */
  readonly liveChannel: string;
  /** One batch of a fan-out published with a dedupe key; holds the pairs it published. */
  fanOutDedupeKey(group: number, key: string, batch: number): string;
  channelOwner(channel: string): ChannelOwner | null;
}

/**
 * Fan-outs (one event to many users) are published once per batch of users on this one channel,
 * which every server process subscribes: a notice to thousands costs each server a few messages
 * instead of one per user. It belongs to no user, hence no `user:` prefix.
 */
export const FAN_OUT_CHANNEL = 'fanout';

/**
 * Control frames every open stream gets as they happen and no history keeps (`presence_changed`):
 * a desk that was away reloads what they tell over REST when its stream is `ready`.
 */
export const LIVE_CHANNEL = 'live';

export const userKey = (userId: number | string): string => `${USER_PREFIX}${userId}`;
export const userChannel = (userId: number | string): string => `${USER_PREFIX}${userId}`;
export const userEventsKey = (userId: number | string): string => `${USER_PREFIX}${userId}${EVENTS_SUFFIX}`;
export const userSequenceKey = (userId: number | string): string => `${USER_PREFIX}${userId}${SEQUENCE_SUFFIX}`;
export const userReadKey = (userId: number | string): string => `user:${userId}:read`;
export const userDedupeKey = (userId: number | string, key: string): string => `${USER_PREFIX}${userId}${DEDUPE_INFIX}${key}`;
/** One batch of a fan-out published with a dedupe key, on one Redis. */
export const fanOutDedupeKey = (key: string, batch: number): string => `fanout:dedupe:${key}:${batch}`;

/** The user of a `user:42` channel; null for any other channel. */
export function userIdFromChannel(channel: string): string | null {
  return channel.startsWith('user:') && !channel.includes(':', 5) ? channel.slice(5) : null;
}

/** One Redis: the original system's names, one group for everybody. */
export const SINGLE_REDIS_KEYS: KeySpace = {
  mode: 'single',
  publishCommand: 'PUBLISH',
  userKey,
  userEventsKey,
  userSequenceKey,
  userReadKey,
  userDedupeKey,
  groupOf: () => 0,
  userPrefixOf: () => USER_PREFIX,
  fanOutChannel: () => FAN_OUT_CHANNEL,
  fanOutChannels: [FAN_OUT_CHANNEL],
  liveChannel: LIVE_CHANNEL,
  fanOutDedupeKey: (_group, key, batch) => fanOutDedupeKey(key, batch),
  channelOwner(channel) {
    if (channel === FAN_OUT_CHANNEL) return { kind: 'fanout' };
    if (channel === LIVE_CHANNEL) return { kind: 'live' };
    const userId = userIdFromChannel(channel);
    return userId === null ? null : { kind: 'user', userId };
  },
};

const bucketTag = (group: number): string => `{u${group}}`;
const CLUSTER_USER_CHANNEL = /^\{u(\d+)\}:user:(\d+)$/;
const CLUSTER_FAN_OUT_CHANNEL = /^\{u\d+\}:fanout$/;
/** In one slot of its own, on whichever shard holds it. */
const CLUSTER_LIVE_CHANNEL = `{${LIVE_CHANNEL}}`;

/** A Redis Cluster: every name of a user carries the hash tag of the user's bucket (`buckets` of them). */
export function clusterKeys(buckets: number): KeySpace {
  const bucketOf = (userId: number | string): number => Number(userId) % buckets;
  const clusterUserKey = (userId: number | string): string => `${bucketTag(bucketOf(userId))}:${USER_PREFIX}${userId}`;
  return {
    mode: 'cluster',
    publishCommand: 'SPUBLISH',
    userKey: clusterUserKey,
    userEventsKey: (userId) => `${clusterUserKey(userId)}${EVENTS_SUFFIX}`,
    userSequenceKey: (userId) => `${clusterUserKey(userId)}${SEQUENCE_SUFFIX}`,
    userReadKey: (userId) => `${clusterUserKey(userId)}:read`,
    userDedupeKey: (userId, key) => `${clusterUserKey(userId)}${DEDUPE_INFIX}${key}`,
    groupOf: bucketOf,
    userPrefixOf: (group) => `${bucketTag(group)}:${USER_PREFIX}`,
    fanOutChannel: (group) => `${bucketTag(group)}:${FAN_OUT_CHANNEL}`,
    fanOutChannels: Array.from({ length: buckets }, (_, group) => `${bucketTag(group)}:${FAN_OUT_CHANNEL}`),
    liveChannel: CLUSTER_LIVE_CHANNEL,
    fanOutDedupeKey: (group, key, batch) => `${bucketTag(group)}:fanout:dedupe:${key}:${batch}`,
    channelOwner(channel) {
      if (CLUSTER_FAN_OUT_CHANNEL.test(channel)) return { kind: 'fanout' };
      if (channel === CLUSTER_LIVE_CHANNEL) return { kind: 'live' };
      const match = CLUSTER_USER_CHANNEL.exec(channel);
      return match ? { kind: 'user', userId: match[2]! } : null;
    },
  };
}

export const CLUSTER_KEYS: KeySpace = clusterKeys(CLUSTER_BUCKETS);

export const keySpaceFor = (mode: KeySpace['mode']): KeySpace => (mode === 'cluster' ? CLUSTER_KEYS : SINGLE_REDIS_KEYS);
