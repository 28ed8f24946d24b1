import { Router, type Response } from 'express';
import {
  acknowledgeMessageRequest,
  editMessageRequest,
  entityId,
  type MessageResponse,
} from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { ConversationStore } from './conversation-store.js';
import { MessageChangeError, MessageChanges } from './message-changes.js';

/**
 * `PATCH` and `DELETE /api/conversations/:id/messages/:messageId` (its sender, within the edit
 * window) and `POST …/acknowledgement` (👍, anyone in the conversation).
 */
export function createMessageChangeRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new ConversationStore(ctx.db);
  const changes = new MessageChanges(ctx.db);

  const target = (params: { id?: string; messageId?: string }, res: Response) => {
    const conversationId = parseInput(entityId, params.id, 'conversation id');
    if (!store.isParticipant(conversationId, currentUser(res).id))
      throw new HttpError(404, 'not_found', `no conversation ${conversationId}`);
    return { conversationId, messageId: parseInput(entityId, params.messageId, 'message id') };
  };

  const run = (res: Response, change: () => ReturnType<MessageChanges['edit']>) => {
    let message;
    try {
      message = change();
    } catch (error) {
      if (!(error instanceof MessageChangeError)) throw error;
      if (error.reason === 'not_found') throw new HttpError(404, 'not_found', error.message);
      if (error.reason === 'not_sender') throw new HttpError(403, 'forbidden', error.message);
      throw new HttpError(409, 'conflict', error.message);
    }
    outboxRelayFor(ctx).kick();
    const body: MessageResponse = { message };
    res.json(body);
  };

  router.patch('/conversations/:id/messages/:messageId', (req, res) => {
    const { conversationId, messageId } = target(req.params, res);
    const { text } = parseInput(editMessageRequest, req.body, 'message change');
    run(res, () => changes.edit(conversationId, messageId, currentUser(res).id, text));
  });

  router.delete('/conversations/:id/messages/:messageId', (req, res) => {
    const { conversationId, messageId } = target(req.params, res);
    run(res, () => changes.delete(conversationId, messageId, currentUser(res).id));
  });

  router.post('/conversations/:id/messages/:messageId/acknowledgement', (req, res) => {
    const { conversationId, messageId } = target(req.params, res);
    const { acknowledged } = parseInput(acknowledgeMessageRequest, req.body, 'acknowledgement');
    run(res, () =>
      changes.acknowledge(conversationId, messageId, currentUser(res).id, acknowledged),
    );
  });

  return router;
}
