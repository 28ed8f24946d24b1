import type { ServerContext } from '../context.js';
import { enabledUserIds } from '../notifications/recipients.js';
import type { PresenceUpdate } from './presence-store.js';

/**
 * Tells every enabled account that someone's presence changed (`presence_changed`, not a
 * notification). The change is already in Redis: if publishing fails it is logged, and desks
 * see the status at their next load of `GET /api/presence`.
 */
export async function announcePresence(
  ctx: ServerContext,
  updates: readonly PresenceUpdate[],
): Promise<void> {
  const changed = updates.filter((update) => update.changed);
  if (changed.length === 0) return;
  const recipients = enabledUserIds(ctx.db);
  for (const update of changed) {
    try {
      await ctx.publisher.publishToMany(recipients, {
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
