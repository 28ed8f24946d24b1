import { Router, type Response } from 'express';
import {
  addParticipantsRequest,
  entityId,
  updateConversationRequest,
  type ConversationResponse,
} from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { ConversationMembership, MembershipError } from './conversation-membership.js';
import { ConversationStore } from './conversation-store.js';

/**
 * Managing a conversation: `PATCH /api/conversations/:id` (rename; mute for oneself),
 * `POST /api/conversations/:id/participants` (add people) and
 * `DELETE /api/conversations/:id/participants/:userId` (leave, or remove someone as its
 * creator). A conversation the user is not in answers 404.
 */
export function createConversationManagementRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new ConversationStore(ctx.db);
  const membership = new ConversationMembership(ctx.db);

  const conversationOf = (params: { id?: string }, res: Response): number => {
    const id = parseInput(entityId, params.id, 'conversation id');
    if (!store.isParticipant(id, currentUser(res).id))
      throw new HttpError(404, 'not_found', `no conversation ${id}`);
    return id;
  };

  const answer = (res: Response, id: number) => {
    const conversation = store.get(id, currentUser(res).id);
    if (!conversation) {
      res.status(204).end();
      return;
    }
    const body: ConversationResponse = { conversation };
    res.json(body);
  };

  router.patch('/conversations/:id', (req, res) => {
    const user = currentUser(res);
    const id = conversationOf(req.params, res);
    const request = parseInput(updateConversationRequest, req.body, 'conversation change');
    if (request.title !== undefined) membership.rename(id, request.title);
    if (request.muted !== undefined) membership.setMuted(id, user.id, request.muted);
    outboxRelayFor(ctx).kick();
    answer(res, id);
  });

  router.post('/conversations/:id/participants', (req, res) => {
    const id = conversationOf(req.params, res);
    const { userIds } = parseInput(addParticipantsRequest, req.body, 'participants');
    requireEnabledUserIds(ctx.db, userIds, 'userIds');
    const added = membership.add(id, userIds);
    if (added.length > 0) {
      outboxRelayFor(ctx).kick();
      ctx.logger.info({ conversationId: id, added }, 'people added to a conversation');
    }
    answer(res, id);
  });

  router.delete('/conversations/:id/participants/:userId', (req, res) => {
    const user = currentUser(res);
    const id = conversationOf(req.params, res);
    const userId = parseInput(entityId, req.params.userId, 'user id');
    try {
      membership.remove(id, userId, user.id);
    } catch (error) {
      if (!(error instanceof MembershipError)) throw error;
      if (error.reason === 'not_participant') throw new HttpError(404, 'not_found', error.message);
      if (error.reason === 'not_creator') throw new HttpError(403, 'forbidden', error.message);
      throw new HttpError(409, 'conflict', error.message);
    }
    outboxRelayFor(ctx).kick();
    ctx.logger.info(
      { conversationId: id, removed: userId, by: user.id },
      userId === user.id ? 'left a conversation' : 'removed from a conversation',
    );
    // Whoever left is no longer in it: nothing to show them.
    answer(res, id);
  });

  return router;
}
