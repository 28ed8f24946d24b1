import { Router } from 'express';
import { roleMessageRequest, type RoleMessageResponse } from '../../common/api.js';
import { ROLE_PLURALS } from '../../common/roles.js';
import { AlertSettingsStore } from '../alerts/alert-settings-store.js';
import { alertStatusPublisherFor } from '../alerts/alert-status-publisher.js';
import { snapshotFor } from '../alerts/escalation-snapshot.js';
import { OnDutyStore } from '../alerts/on-duty-store.js';
import { queueFirstStep } from '../alerts/queue-first-step.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { messageRateLimit } from '../http/rate-limit.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { ConversationStore } from './conversation-store.js';

/**
 * `POST /api/role-messages`: a message to whoever is on duty in a role right now. They become
 * the participants of a new conversation with the sender, titled by the role, and each is
 * recorded as reached through that role. Nobody on duty is a 409: the sender must know at once
 * that the message reached no one.
 */
export function createRoleMessageRoutes(ctx: ServerContext): Router {
  const router = Router();
  const conversations = new ConversationStore(ctx.db);
  const duty = new OnDutyStore(ctx.db);
  const settings = new AlertSettingsStore(ctx.db);

  router.post('/role-messages', messageRateLimit(ctx), async (req, res) => {
    const user = currentUser(res);
    const request = parseInput(roleMessageRequest, req.body, 'role message');
    if (request.escalateTo?.kind === 'user') requireEnabledUserIds(ctx.db, [request.escalateTo.userId], 'escalateTo.userId');
    const clientMessageId = request.clientMessageId ?? null;
    const earlier = clientMessageId === null ? null : conversations.messageByClientId(user.id, clientMessageId);
    let conversationId = earlier?.conversationId ?? null;
    if (conversationId === null) {
      const members = duty.membersOf(request.role, [user.id]);
      if (members.length === 0) throw new HttpError(409, 'conflict', `nobody is on duty as ${ROLE_PLURALS[request.role]} right now`);
      conversationId = conversations.create(user.id, members.map((member) => member.userId), `On-duty ${ROLE_PLURALS[request.role]}`).id;
    }
    const escalation = request.priority === 'urgent' ? snapshotFor(settings.get(), request.escalateTo) : null;
    const { message, created, readAlertIds } = conversations.send(conversationId, user, request.text, {
      clientMessageId,
      priority: request.priority,
      escalation,
      passesDoNotDisturb: escalation?.passesDoNotDisturb ?? false,
      alert: { viaRole: request.role },
    });
    if (created) outboxRelayFor(ctx).kick();
    alertStatusPublisherFor(ctx).touch(readAlertIds);
    if (created && escalation && message.alertId !== null)
      await queueFirstStep(ctx, { alertId: message.alertId, step: 1, dueMs: Date.parse(message.createdAt) + escalation.intervalMs });
    ctx.logger.info({ userId: user.id, role: request.role, conversationId }, 'message to the on-duty role');
    const conversation = conversations.get(conversationId, user.id);
    if (!conversation) throw new HttpError(404, 'not_found', `no conversation ${conversationId}`);
    const body: RoleMessageResponse = { conversation, message };
    res.status(created ? 201 : 200).json(body);
  });

  return router;
}
