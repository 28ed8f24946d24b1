import { Router } from 'express';
import { acknowledgeRequest, type AlertStatusesResponse, type AlertStatusResponse } from '../../common/alerts.js';
import { entityId } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { ConversationStore } from '../conversations/conversation-store.js';
import { HttpError, parseInput } from '../http/errors.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { Acknowledgements } from './acknowledgements.js';
import { alertStatusPublisherFor } from './alert-status-publisher.js';
import { AlertStatusReader, type StatusDetail } from './alert-status-reader.js';
import { recordReceiptReport } from './receipts-endpoint.js';

/** Statuses listed for one conversation: its newest alerts. */
const CONVERSATION_ALERTS_LIMIT = 200;

/**
 * `/api/alerts…`: desks report receipts in batches; senders, recipients and admins read an
 * alert's status (the sender and admins per recipient and desk, recipients the summary); a
 * conversation's participants read the status of its recent alerts.
 */
export function createAlertRoutes(ctx: ServerContext): Router {
  const router = Router();
  const reader = new AlertStatusReader(ctx.db);
  const conversations = new ConversationStore(ctx.db);
  const statuses = alertStatusPublisherFor(ctx);
  const acknowledgements = new Acknowledgements(ctx.db);

  // Most reports are answered before Express (receipts-endpoint.ts); this takes the rest.
  router.post('/alerts/receipts', async (req, res) => {
    res.json(await recordReceiptReport(ctx, currentUser(res).id, req.body));
  });

  router.get('/alerts/:id', (req, res) => {
    const user = currentUser(res);
    const id = parseInput(entityId, req.params.id, 'alert id');
    const parties = reader.parties(id);
    let detail: StatusDetail | null = null;
    if (parties && (parties.senderId === user.id || user.role === 'admin')) detail = 'recipients';
    else if (parties && reader.isRecipient(id, user.id)) detail = 'summary';
    const status = detail && reader.status(id, detail, Number.MAX_SAFE_INTEGER);
    if (!status) throw new HttpError(404, 'not_found', `no alert ${id}`);
    const body: AlertStatusResponse = { alert: status };
    res.json(body);
  });

  router.post('/alerts/:id/acknowledge', async (req, res) => {
    const user = currentUser(res);
    const id = parseInput(entityId, req.params.id, 'alert id');
    const { deskId } = parseInput(acknowledgeRequest, req.body ?? {}, 'acknowledgement');
    const result = await acknowledgements.acknowledge(id, user, deskId ?? null);
    if (!result) throw new HttpError(404, 'not_found', `no alert ${id} is addressed to you`);
    // Committed with its announcements in the outbox: publish them now, not at the next poll.
    if (result.first) {
      outboxRelayFor(ctx).kick();
      ctx.logger.info({ alertId: id, userId: user.id }, 'alert acknowledged');
    }
    statuses.touch(result.alertIds);
    const body: AlertStatusResponse = { alert: reader.status(id, 'summary')! };
    res.json(body);
  });

  router.get('/conversations/:id/alerts', (req, res) => {
    const user = currentUser(res);
    const id = parseInput(entityId, req.params.id, 'conversation id');
    if (!conversations.isParticipant(id, user.id)) throw new HttpError(404, 'not_found', `no conversation ${id}`);
    const alerts = reader
      .alertIdsInConversation(id, CONVERSATION_ALERTS_LIMIT)
      .map((alertId) => reader.status(alertId, reader.parties(alertId)?.senderId === user.id ? 'recipients' : 'summary'))
      .filter((status) => status !== null);
    const body: AlertStatusesResponse = { alerts };
    res.json(body);
  });

  return router;
}
