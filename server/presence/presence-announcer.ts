import type { ServerContext } from '../context.js';
import type { PresenceUpdate } from './presence-store.js';

/**
 * Tells every open stream that someone's presence changed (`presence_changed`, a control frame
 * on the live channel, not an event: it goes into no history). The change is already in Redis:
 * if publishing fails it is logged, and desks see the status at their next load of
 * `GET /api/presence`, which they make whenever their stream is ready.
 */
export async function announcePresence(
  ctx: ServerContext,
  updates: readonly PresenceUpdate[],
): Promise<void> {
  for (const update of updates) {
    if (!update.changed) continue;
    try {
      await ctx.publisher.publishLive({
        type: 'presence_changed',
        user_id: String(update.userId),
        status: update.status,
        timestamp: new Date().toISOString(),
      });
    } catch (error) {
      ctx.logger.warn(
        { err: (error as Error).message, userId: update.userId },
        'presence change not announced',
      );
    }
  }
}
