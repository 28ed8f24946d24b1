import { Router, type Response } from 'express';
import {
  createConversationRequest,
  entityId,
  listConversationsQuery,
  listMessagesQuery,
  markConversationReadRequest,
  sendMessageRequest,
  type ConversationResponse,
  type ConversationsResponse,
  type MessageResponse,
  type MessagesResponse,
} from '../../common/api.js';
import type { EscalationTarget } from '../../common/alert-settings.js';
import { AlertSettingsStore } from '../alerts/alert-settings-store.js';
import { alertStatusPublisherFor } from '../alerts/alert-status-publisher.js';
import { snapshotFor, type EscalationSnapshot } from '../alerts/escalation-snapshot.js';
import { queueFirstStep } from '../alerts/queue-first-step.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { conversationRateLimit, messageRateLimit } from '../http/rate-limit.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { ConversationStore } from './conversation-store.js';
import { SendGroupCommit } from './send-group-commit.js';

/**
 * `/api/conversations…`: the signed-in user's conversations and their messages. A conversation
 * the user is not in answers 404 exactly like one that does not exist.
 */
export function createConversationRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new ConversationStore(ctx.db);
  const sends = new SendGroupCommit(ctx.db, store);
  const alertSettings = new AlertSettingsStore(ctx.db);

  /** The conversation id of the path, when the user is one of its participants. */
  const conversationOf = (params: { id?: string }, res: Response): number => {
    const id = parseInput(entityId, params.id, 'conversation id');
    if (!store.isParticipant(id, currentUser(res).id)) throw new HttpError(404, 'not_found', `no conversation ${id}`);
    return id;
  };

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

  /** An urgent message's escalation as the clinic sets it, with the sender's target if they chose one. */
  const escalationFor = (chosen: EscalationTarget | undefined): EscalationSnapshot => {
    if (chosen?.kind === 'user') requireEnabledUserIds(ctx.db, [chosen.userId], 'escalateTo.userId');
    return snapshotFor(alertSettings.get(), chosen);
  };

  router.post('/conversations/:id/messages', messageRateLimit(ctx), async (req, res) => {
    const user = currentUser(res);
    const id = conversationOf(req.params, res);
    const request = parseInput(sendMessageRequest, req.body, 'message');
    const clientMessageId = request.clientMessageId ?? null;
    const replyTo = request.replyToId === undefined ? null : store.quote(id, request.replyToId);
    if (request.replyToId !== undefined && !replyTo)
      throw new HttpError(400, 'validation_failed', `replyToId: no message ${request.replyToId} in this conversation`);
    const escalation = request.priority === 'urgent' ? escalationFor(request.escalateTo) : null;
    const { message, created, readAlertIds } = await sends.send(id, user, request.text, {
      clientMessageId,
      priority: request.priority,
      escalation,
      passesDoNotDisturb: escalation?.passesDoNotDisturb ?? false,
      replyTo,
    });
    if (message.conversationId !== id) {
      throw new HttpError(409, 'conflict', 'clientMessageId was already used for a message in another conversation');
    }
    // Committed, with its notifications in the outbox: publish them now rather than at the next poll.
    if (created) outboxRelayFor(ctx).kick();
    alertStatusPublisherFor(ctx).touch(readAlertIds);
    if (created && escalation && message.alertId !== null)
      await queueFirstStep(ctx, { alertId: message.alertId, step: 1, dueMs: Date.parse(message.createdAt) + escalation.intervalMs });
    const body: MessageResponse = { message };
    res.status(created ? 201 : 200).json(body);
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
