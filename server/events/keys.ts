/**
 * Redis key and channel names. They match the original system (`user:<id>` channel,
 * `user:<id>:events` list) so `redis-cli keys "user:*"` and `subscribe user:<id>` keep working.
 */
export const userChannel = (userId: number | string): string => `user:${userId}`;
export const userEventsKey = (userId: number | string): string => `user:${userId}:events`;
export const userSequenceKey = (userId: number | string): string => `user:${userId}:seq`;
export const userReadKey = (userId: number | string): string => `user:${userId}:read`;
export const userDedupeKey = (userId: number | string, key: string): string => `user:${userId}:dedupe:${key}`;

/** Channels look like `user:42`; anything else on the subscriber connection is not ours. */
export function userIdFromChannel(channel: string): string | null {
  return channel.startsWith('user:') && !channel.includes(':', 5) ? channel.slice(5) : null;
}
