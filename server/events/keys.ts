/**
 * Redis key and channel names. They match the original system (`user:<id>` channel,
 * `user:<id>:events` list) so `redis-cli keys "user:*"` and `subscribe user:<id>` keep working;
 * that channel carries the events published to that one user (fan-outs go on FAN_OUT_CHANNEL).
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

export const userKey = (userId: number | string): string => `${USER_PREFIX}${userId}`;
export const userChannel = (userId: number | string): string => `${USER_PREFIX}${userId}`;
export const userEventsKey = (userId: number | string): string => `${USER_PREFIX}${userId}${EVENTS_SUFFIX}`;
export const userSequenceKey = (userId: number | string): string => `${USER_PREFIX}${userId}${SEQUENCE_SUFFIX}`;
export const userReadKey = (userId: number | string): string => `user:${userId}:read`;
/** `user:<id>:dedupe:<key>`: the id an event published under that key was given (lua.ts names it too). */
export const DEDUPE_INFIX = ':dedupe:';
export const userDedupeKey = (userId: number | string, key: string): string => `${USER_PREFIX}${userId}${DEDUPE_INFIX}${key}`;
/** One batch of a fan-out published with a dedupe key; holds the pairs it published. */
export const fanOutDedupeKey = (key: string, batch: number): string => `fanout:dedupe:${key}:${batch}`;

/**
 * Fan-outs (one event to many users) are published once per batch of users on this one channel,
 * which every server process subscribes: a notice to thousands costs each server a few messages
 * instead of one per user. It belongs to no user, hence no `user:` prefix.
 */
export const FAN_OUT_CHANNEL = 'fanout';

/** The user of a `user:42` channel; null for any other channel. */
export function userIdFromChannel(channel: string): string | null {
  return channel.startsWith('user:') && !channel.includes(':', 5) ? channel.slice(5) : null;
}
