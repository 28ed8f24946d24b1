import type { ServerContext } from '../context.js';
import type { RequestListener } from '../events/event-stream-endpoint.js';
import { bareJsonEndpoint } from '../http/bare-json-endpoint.js';
import { messageRateLimit, passRateLimit } from '../http/rate-limit.js';
import { messageSenderFor } from './message-sender.js';

/** Digits only: any other spelling of the path (encoded, a trailing slash, other case) is Express's to judge. */
const SEND_PATH = /^\/api\/conversations\/(\d+)\/messages(?:\?|$)/;

/**
 * `POST /api/conversations/:id/messages`, answered before Express (http/bare-json-endpoint.ts):
 * the request staff make most, and the one the message path's benchmark times (scenario 6).
 * Counted by the same rate limiter as the route, then sent by the same sender; what this path
 * leaves to Express, the route in conversation-routes.ts sends the same way.
 */
export function createMessageSendEndpoint(ctx: ServerContext): RequestListener {
  const sender = messageSenderFor(ctx);
  const limiter = messageRateLimit(ctx);
  return bareJsonEndpoint(ctx, {
    method: 'POST',
    match: (url) => SEND_PATH.exec(url)?.[1] ?? null,
    handle: async (user, body, conversationId, req, res) => {
      await passRateLimit(limiter, user, req, res);
      return sender.send(user, conversationId, body);
    },
  });
}
