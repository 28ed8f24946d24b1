import { z } from 'zod';
import { escalationTarget } from '../../../common/alert-settings.js';
import { priority } from '../../../common/alerts.js';

/**
 * A message written on this desk that the server has not confirmed yet. It keeps its
 * `clientMessageId` from the first attempt to the last, so however many times it is sent, the
 * server stores it once.
 */
export const queuedMessage = z.object({
  clientMessageId: z.string().min(8).max(64),
  conversationId: z.number().int().positive(),
  text: z.string().min(1).max(4_000),
  /** Chosen when it was written; kept so that however late it goes out, urgent stays urgent. */
  priority: priority.default('routine'),
  escalateTo: escalationTarget.optional(),
  queuedAt: z.string().max(64),
  /**
   * `queued`: waiting its turn or for the server to answer; `sending`: on its way now;
   * `failed`: the server refused it (it will not be sent again unless the person asks).
   */
  status: z.enum(['queued', 'sending', 'failed']),
  /** Why it is waiting or was refused, in words for the person at the desk. */
  error: z.string().max(500).nullable(),
  /** The earlier message it answers, as quoted when it was written. */
  replyTo: z
    .object({
      id: z.number().int().positive(),
      senderName: z.string().max(200),
      text: z.string().max(10_000),
    })
    .optional(),
});
export type QueuedMessage = z.infer<typeof queuedMessage>;

export const queuedMessages = z.array(queuedMessage).max(500);
