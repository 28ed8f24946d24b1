import type { SqlDatabase } from '../db/sql-database.js';
import { randomBytes } from 'node:crypto';
import { MESSAGE_EDIT_WINDOW_MINUTES, type Message } from '../../common/api.js';
import type { MessageChangedPayload } from '../../common/events.js';
import { OutboxStore } from '../outbox/outbox-store.js';
import { MESSAGE_COLUMNS, toMessage, type MessageRow } from './conversation-store.js';

export class MessageChangeError extends Error {
  constructor(
    readonly reason: 'not_found' | 'not_sender' | 'too_late' | 'deleted',
    message: string,
  ) {
    super(message);
    this.name = 'MessageChangeError';
  }
}

/**
 * Edits and deletions by a message's sender within MESSAGE_EDIT_WINDOW_MINUTES (the text it
 * had is kept in message_edits), and 👍 acknowledgements by anyone in the conversation. Each
 * change goes to everyone in it as `message_changed`, in the transaction of the change.
 */
export class MessageChanges {
  private readonly outbox: OutboxStore;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
  }

  private message(conversationId: number, messageId: number): Message {
    const row = this.db
      .prepare<[number, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ? AND m.conversation_id = ?`,
      )
      .get(messageId, conversationId);
    if (!row)
      throw new MessageChangeError('not_found', `no message ${messageId} in this conversation`);
    return toMessage(row);
  }

  private ownRecent(conversationId: number, messageId: number, userId: number, now: Date): Message {
    const message = this.message(conversationId, messageId);
    if (message.senderId !== userId)
      throw new MessageChangeError('not_sender', 'only its sender may change a message');
    if (message.deleted) throw new MessageChangeError('deleted', 'this message was deleted');
    if (now.getTime() - Date.parse(message.createdAt) > MESSAGE_EDIT_WINDOW_MINUTES * 60_000)
      throw new MessageChangeError(
        'too_late',
        `a message can be changed for ${MESSAGE_EDIT_WINDOW_MINUTES} minutes after it was sent`,
      );
    return message;
  }

  edit(
    conversationId: number,
    messageId: number,
    userId: number,
    text: string,
    now = new Date(),
  ): Message {
    return this.db
      .transaction((): Message => {
        const before = this.ownRecent(conversationId, messageId, userId, now);
        this.db
          .prepare<[number, string]>(
            "INSERT INTO message_edits (message_id, change, old_text) VALUES (?, 'edited', ?)",
          )
          .run(messageId, before.text);
        this.db
          .prepare<[string, string, number]>(
            'UPDATE messages SET text = ?, edited_at = ? WHERE id = ?',
          )
          .run(text, now.toISOString(), messageId);
        return this.announce(conversationId, messageId, 'edited');
      })
      .immediate();
  }

  delete(conversationId: number, messageId: number, userId: number, now = new Date()): Message {
    return this.db
      .transaction((): Message => {
        const before = this.ownRecent(conversationId, messageId, userId, now);
        this.db
          .prepare<[number, string]>(
            "INSERT INTO message_edits (message_id, change, old_text) VALUES (?, 'deleted', ?)",
          )
          .run(messageId, before.text);
        this.db
          .prepare<[string, number]>("UPDATE messages SET text = '', deleted_at = ? WHERE id = ?")
          .run(now.toISOString(), messageId);
        return this.announce(conversationId, messageId, 'deleted');
      })
      .immediate();
  }

  acknowledge(
    conversationId: number,
    messageId: number,
    userId: number,
    acknowledged: boolean,
  ): Message {
    return this.db
      .transaction((): Message => {
        const message = this.message(conversationId, messageId);
        if (message.deleted) throw new MessageChangeError('deleted', 'this message was deleted');
        const changed = acknowledged
          ? this.db
              .prepare<[number, number]>(
                'INSERT INTO message_acknowledgements (message_id, user_id) VALUES (?, ?) ON CONFLICT DO NOTHING',
              )
              .run(messageId, userId).changes
          : this.db
              .prepare<[number, number]>(
                'DELETE FROM message_acknowledgements WHERE message_id = ? AND user_id = ?',
              )
              .run(messageId, userId).changes;
        return changed > 0 ? this.announce(conversationId, messageId, 'acknowledged') : message;
      })
      .immediate();
  }

  private announce(
    conversationId: number,
    messageId: number,
    change: MessageChangedPayload['change'],
  ): Message {
    const message = this.message(conversationId, messageId);
    const payload: MessageChangedPayload = {
      type: 'message_changed',
      conversation_id: String(conversationId),
      message_id: String(messageId),
      change,
      text: message.text,
      ...(message.editedAt ? { edited_at: message.editedAt } : {}),
      ...(message.deleted ? { deleted: true } : {}),
      acknowledged_by: (message.acknowledgedBy ?? []).map(String),
      timestamp: new Date().toISOString(),
    };
    const key = `msgchange:${messageId}:${randomBytes(6).toString('hex')}`;
    const participants = this.db
      .prepare<[number], number>(
        'SELECT user_id FROM conversation_participants WHERE conversation_id = ?',
      )
      .pluck()
      .all(conversationId);
    for (const userId of participants) this.outbox.enqueue(userId, payload, `${key}:${userId}`);
    return message;
  }
}
