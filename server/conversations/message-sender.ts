import { entityId, sendMessageRequest, type MessageResponse, type User } from '../../common/api.js';
import type { EscalationTarget } from '../../common/alert-settings.js';
import { AlertSettingsStore } from '../alerts/alert-settings-store.js';
import { alertStatusPublisherFor } from '../alerts/alert-status-publisher.js';
import { snapshotFor, type EscalationSnapshot } from '../alerts/escalation-snapshot.js';
import { queueFirstStep } from '../alerts/queue-first-step.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { ConversationStore } from './conversation-store.js';
import { SendGroupCommit } from './send-group-commit.js';

export interface SentMessage {
  /** 201 for a new message, 200 for a send repeated with its `clientMessageId`. */
  status: 201 | 200;
  body: MessageResponse;
}

/**
 * `POST /api/conversations/:id/messages` once the request is read and its sender signed in, for
 * the route (conversation-routes.ts) and the endpoint that answers it before Express
 * (message-send-endpoint.ts): one store and one group commit per server, whichever way a send came.
 */
export class MessageSender {
  readonly store: ConversationStore;
  private readonly sends: SendGroupCommit;
  private readonly alertSettings: AlertSettingsStore;

  constructor(private readonly ctx: ServerContext) {
    this.store = new ConversationStore(ctx.db);
    this.sends = new SendGroupCommit(ctx.db, this.store);
    this.alertSettings = new AlertSettingsStore(ctx.db);
  }

  /** The conversation id of the path, when the user is one of its participants; 404 like one that does not exist otherwise. */
  conversationOf(idParam: unknown, userId: number): number {
    const id = parseInput(entityId, idParam, 'conversation id');
    if (!this.store.isParticipant(id, userId)) throw new HttpError(404, 'not_found', `no conversation ${id}`);
    return id;
  }

  async send(user: User, idParam: unknown, body: unknown): Promise<SentMessage> {
    const id = this.conversationOf(idParam, user.id);
    const request = parseInput(sendMessageRequest, body, 'message');
    const replyTo = request.replyToId === undefined ? null : this.store.quote(id, request.replyToId);
    if (request.replyToId !== undefined && !replyTo)
      throw new HttpError(400, 'validation_failed', `replyToId: no message ${request.replyToId} in this conversation`);
    const escalation = request.priority === 'urgent' ? this.escalationFor(request.escalateTo) : null;
    const { message, created, readAlertIds } = await this.sends.send(id, user, request.text, {
      clientMessageId: request.clientMessageId ?? null,
      priority: request.priority,
      escalation,
      passesDoNotDisturb: escalation?.passesDoNotDisturb ?? false,
      replyTo,
    });
    if (message.conversationId !== id) {
      throw new HttpError(409, 'conflict', 'clientMessageId was already used for a message in another conversation');
    }
    // Committed, with its notifications in the outbox: publish them now rather than at the next poll.
    if (created) outboxRelayFor(this.ctx).kick();
    alertStatusPublisherFor(this.ctx).touch(readAlertIds);
    if (created && escalation && message.alertId !== null)
      await queueFirstStep(this.ctx, { alertId: message.alertId, step: 1, dueMs: Date.parse(message.createdAt) + escalation.intervalMs });
    return { status: created ? 201 : 200, body: { message } };
  }

  /** An urgent message's escalation as the clinic sets it, with the sender's target if they chose one. */
  private escalationFor(chosen: EscalationTarget | undefined): EscalationSnapshot {
    if (chosen?.kind === 'user') requireEnabledUserIds(this.ctx.db, [chosen.userId], 'escalateTo.userId');
    return snapshotFor(this.alertSettings.get(), chosen);
  }
}

const senders = new WeakMap<ServerContext, MessageSender>();

/** The server's one message sender, so that every send of the process joins the same group commit. */
export function messageSenderFor(ctx: ServerContext): MessageSender {
  let sender = senders.get(ctx);
  if (!sender) {
    sender = new MessageSender(ctx);
    senders.set(ctx, sender);
  }
  return sender;
}
