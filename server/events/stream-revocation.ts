import type { Redis } from 'ioredis';
import { userChannel } from './keys.js';

/**
 * Sent on a user's own channel, so every server process holding a stream of theirs hears it.
 * It cannot be mistaken for an event: stored events are JSON objects.
 */
export const REVOKE_STREAMS_MESSAGE = 'revoke-streams';

/** Ends the user's open streams everywhere; their clients reconnect and meet a 401. */
export async function revokeStreams(redis: Redis, userId: number): Promise<void> {
  await redis.publish(userChannel(userId), REVOKE_STREAMS_MESSAGE);
}
