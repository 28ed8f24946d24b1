import { Router, type Response } from 'express';
import {
  createConversationRequest,
  listConversationsQuery,
  listMessagesQuery,
  markConversationReadRequest,
  type ConversationResponse,
  type ConversationsResponse,
  type MessagesResponse,
} from '../../common/api.js';
import { alertStatusPublisherFor } from '../alerts/alert-status-publisher.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { conversationRateLimit, messageRateLimit } from '../http/rate-limit.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { messageSenderFor } from './message-sender.js';

/**
 * `/api/conversations…`: the signed-in user's conversations and their messages. A conversation
 * the user is not in answers 404 exactly like one that does not exist.
 */
export function createConversationRoutes(ctx: ServerContext): Router {
  const router = Router();
  const sender = messageSenderFor(ctx);
  const store = sender.store;

  const conversationOf = (params: { id?: string }, res: Response): number => sender.conversationOf(params.id, currentUser(res).id);

  const view = (id: number, userId: number): ConversationResponse => {
    const conversation = store.get(id, userId);
    if (!conversation) throw new HttpError(404, 'not_found', `no conversation ${id}`);
    return { conversation };
  };

  router.get('/conversations', (req, res) => {
    const page = parseInput(listConversationsQuery, req.query, 'paging');
    const body: ConversationsResponse = store.listFor(currentUser(res).id, page);
    res.json(body);
  });

  router.post('/conversations', conversationRateLimit(ctx), (req, res) => {
    const user = currentUser(res);
    const request = parseInput(createConversationRequest, req.body, 'conversation');
    const others = request.participantIds.filter((id) => id !== user.id);
    if (others.length === 0) throw new HttpError(400, 'validation_failed', 'participantIds: name at least one person besides yourself');
    requireEnabledUserIds(ctx.db, others, 'participantIds');
    const { id, created } = store.create(user.id, [...new Set(others)], request.title ?? null);
    if (created) outboxRelayFor(ctx).kick();
    if (created) ctx.logger.info({ conversationId: id, userId: user.id, participants: others.length + 1 }, 'conversation created');
    res.status(created ? 201 : 200).json(view(id, user.id));
  });

  router.get('/conversations/:id', (req, res) => {
    res.json(view(conversationOf(req.params, res), currentUser(res).id));
  });

  router.get('/conversations/:id/messages', (req, res) => {
    const id = conversationOf(req.params, res);
    const page = parseInput(listMessagesQuery, req.query, 'paging');
    const body: MessagesResponse = store.messages(id, page);
    res.json(body);
  });

  // Most sends are answered before Express (message-send-endpoint.ts); this route takes the rest.
  router.post('/conversations/:id/messages', messageRateLimit(ctx), async (req, res) => {
    const { status, body } = await sender.send(currentUser(res), req.params.id, req.body);
    res.status(status).json(body);
  });

  router.post('/conversations/:id/read', (req, res) => {
    const user = currentUser(res);
    const id = conversationOf(req.params, res);
    const { lastMessageId } = parseInput(markConversationReadRequest, req.body, 'read marker');
    if (!store.hasMessage(id, lastMessageId)) {
      throw new HttpError(400, 'validation_failed', `lastMessageId: no message ${lastMessageId} in this conversation`);
    }
    const { moved, readAlertIds } = store.markRead(id, user.id, lastMessageId);
    if (moved) outboxRelayFor(ctx).kick();
    alertStatusPublisherFor(ctx).touch(readAlertIds);
    res.json(view(id, user.id));
  });

  return router;
}
