import type { SqlDatabase } from '../db/sql-database.js';
import { randomBytes } from 'node:crypto';
import type { AlertKind, Priority } from '../../common/alerts.js';
import type { Conversation, Message, MessageQuote, MessagesResponse, Role, User } from '../../common/api.js';
import type { ConversationChangedPayload, ConversationReadPayload, MessageSentPayload, NewMessagePayload } from '../../common/events.js';
import { AlertStore } from '../alerts/alert-store.js';
import type { EscalationSnapshot } from '../alerts/escalation-snapshot.js';
import { ReadReceipts } from '../alerts/read-receipts.js';
import { OutboxStore } from '../outbox/outbox-store.js';
import { rowDedupeKey } from '../events/row-dedupe-key.js';

interface ConversationRow {
  id: number;
  title: string | null;
  updated_at: string;
  unread: number;
  muted: 0 | 1;
}

interface ParticipantRow {
  conversation_id: number;
  id: number;
  username: string;
  display_name: string;
  role: Role;
}

/** A message as MESSAGE_COLUMNS reads it. */
export interface MessageRow {
  id: number;
  conversation_id: number;
  sender_id: number;
  sender_name: string;
  text: string;
  client_message_id: string | null;
  created_at: string;
  edited_at?: string | null;
  deleted_at?: string | null;
  /** JSON array of user ids. */
  acknowledged_by?: string | null;
  reply_to_id?: number | null;
  reply_text?: string | null;
  reply_sender?: string | null;
  priority: Priority;
  alert_id: number | null;
}

export interface SentMessage {
  message: Message;
  /** False when `clientMessageId` named a message sent before: nothing was written. */
  created: boolean;
  /** Alerts the sender read by replying (their senders hear of it). */
  readAlertIds: number[];
}

export interface SendOptions {
  /** Client-chosen id that makes a retried send return the first message. */
  clientMessageId?: string | null;
  priority?: Priority;
  /** An urgent message's repeats and escalation; without one it neither repeats nor escalates. */
  escalation?: EscalationSnapshot | null;
  /** The clinic lets urgent messages through do-not-disturb (its policy when this one is sent). */
  passesDoNotDisturb?: boolean;
  /** The earlier message of the conversation this one answers, quoted. */
  replyTo?: MessageQuote | null;
  /** How the message's alert differs from a colleague's plain message. */
  alert?: {
    kind?: AlertKind;
    /** Its recipients were reached as the on-duty members of this role. */
    viaRole?: Role | null;
    /** An escalation of this alert. */
    escalatedFrom?: number | null;
  };
}

export interface ReadMarked {
  moved: boolean;
  /** Alerts that became read by this move. */
  readAlertIds: number[];
}

/** The columns of a message (`m`, with its sender `u`), as toMessage reads them. */
export const MESSAGE_COLUMNS = `m.id, m.conversation_id, m.sender_id, u.display_name AS sender_name, m.text, m.client_message_id, m.created_at, m.priority,
  (SELECT id FROM alerts WHERE message_id = m.id) AS alert_id,
  m.edited_at, m.deleted_at, m.reply_to_id,
  (SELECT r.text FROM messages r WHERE r.id = m.reply_to_id) AS reply_text,
  (SELECT ru.display_name FROM messages r JOIN users ru ON ru.id = r.sender_id WHERE r.id = m.reply_to_id) AS reply_sender,
  (SELECT json_group_array(user_id) FROM (SELECT user_id FROM message_acknowledgements WHERE message_id = m.id ORDER BY created_at) AS acknowledgers) AS acknowledged_by`;

/** The conversations `:user` is in, with their unread counts; callers add WHERE and ORDER BY. */
const CONVERSATION_ROWS = `
  SELECT c.id, c.title, c.updated_at, mine.muted,
         (SELECT count(*) FROM messages m
           WHERE m.conversation_id = c.id AND m.sender_id <> :user AND m.id > mine.last_read_message_id) AS unread
    FROM conversations c
    JOIN conversation_participants mine ON mine.conversation_id = c.id AND mine.user_id = :user`;

export function toMessage(row: MessageRow): Message {
  const acknowledgedBy = row.acknowledged_by ? (JSON.parse(row.acknowledged_by) as number[]) : [];
  return {
    id: row.id,
    conversationId: row.conversation_id,
    senderId: row.sender_id,
    senderName: row.sender_name,
    text: row.text,
    createdAt: row.created_at,
    clientMessageId: row.client_message_id,
    priority: row.priority,
    alertId: row.alert_id,
    // Only when there is something to say, so a plain message keeps the shape it always had.
    ...(row.edited_at ? { editedAt: row.edited_at } : {}),
    ...(row.deleted_at ? { deleted: true as const } : {}),
    ...(acknowledgedBy.length > 0 ? { acknowledgedBy } : {}),
    ...(row.reply_to_id
      ? { replyTo: { id: row.reply_to_id, senderName: row.reply_sender ?? '', text: row.reply_text ?? '' } }
      : {}),
  };
}

/** The `dedupe_key` of one message's event to one participant (`message_sent` for its sender). */
export const messageDedupeKey = (messageId: number, createdAt: string, userId: number): string =>
  rowDedupeKey('msg', messageId, createdAt, userId);

/** The `dedupe_key` of the event that one user's read marker moved up to one message, at `readAt`. */
const readDedupeKey = (conversationId: number, messageId: number, readAt: string, userId: number): string =>
  rowDedupeKey('read', messageId, readAt, conversationId, userId);

/**
 * Conversations, participants and messages in SQLite. Every read is for one user and returns
 * nothing for a conversation that user is not in, so routes cannot leak one by accident.
 */
export class ConversationStore {
  private readonly outbox: OutboxStore;
  private readonly alerts: AlertStore;
  private readonly readReceipts: ReadReceipts;
  /**
   * Prepared once: preparing a statement costs SQLite a parse and a plan each time, which was
   * 7 % of a server's CPU on the message path when every call prepared its own (bench/RESULTS.md).
   */
  private readonly statements;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
    this.alerts = new AlertStore(db);
    this.readReceipts = new ReadReceipts(db);
    this.statements = {
      pagePosition: db.prepare<[number, number], { updated_at: string; id: number }>(
        `SELECT c.updated_at, c.id FROM conversations c
           JOIN conversation_participants mine ON mine.conversation_id = c.id AND mine.user_id = ?
          WHERE c.id = ?`,
      ),
      page: db.prepare<{ user: number; updatedAt: string | null; id: number | null; limit: number }, ConversationRow>(
        `${CONVERSATION_ROWS}
          WHERE CAST(:updatedAt AS TEXT) IS NULL OR c.updated_at < :updatedAt OR (c.updated_at = :updatedAt AND c.id < :id)
          ORDER BY c.updated_at DESC, c.id DESC LIMIT :limit`,
      ),
      one: db.prepare<{ user: number; id: number }, ConversationRow>(`${CONVERSATION_ROWS} WHERE c.id = :id`),
      participants: db.prepare<[string], ParticipantRow>(
        `SELECT p.conversation_id, u.id, u.username, u.display_name, u.role
           FROM conversation_participants p JOIN users u ON u.id = p.user_id
          WHERE p.conversation_id IN (SELECT value FROM json_each(?))
          ORDER BY u.display_name, u.id`,
      ),
      lastMessages: db.prepare<[string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS}
           FROM messages m JOIN users u ON u.id = m.sender_id
          WHERE m.id IN (SELECT max(id) FROM messages
                          WHERE conversation_id IN (SELECT value FROM json_each(?))
                          GROUP BY conversation_id)`,
      ),
      isParticipant: db.prepare<[number, number]>('SELECT 1 FROM conversation_participants WHERE conversation_id = ? AND user_id = ?'),
      direct: db.prepare<[number, number], { id: number }>(
        `SELECT c.id FROM conversations c
          WHERE c.title IS NULL
            AND EXISTS (SELECT 1 FROM conversation_participants WHERE conversation_id = c.id AND user_id = ?)
            AND EXISTS (SELECT 1 FROM conversation_participants WHERE conversation_id = c.id AND user_id = ?)
            AND (SELECT count(*) FROM conversation_participants WHERE conversation_id = c.id) = 2
          ORDER BY c.id LIMIT 1`,
      ),
      insertConversation: db
        .prepare<[string | null, number, string, string], number>(
          'INSERT INTO conversations (title, created_by, created_at, updated_at) VALUES (?, ?, ?, ?) RETURNING id',
        )
        .pluck(),
      addParticipant: db.prepare<[number, number]>('INSERT INTO conversation_participants (conversation_id, user_id) VALUES (?, ?)'),
      messagePage: db.prepare<[number, number, number], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS}
           FROM messages m JOIN users u ON u.id = m.sender_id
          WHERE m.conversation_id = ? AND m.id < ?
          ORDER BY m.id DESC LIMIT ?`,
      ),
      byClientId: db.prepare<[number, string], MessageRow>(
        `SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN users u ON u.id = m.sender_id
          WHERE m.sender_id = ? AND m.client_message_id = ?`,
      ),
      // DO NOTHING: another process may have saved the same clientMessageId since it was looked up.
      insertMessage: db
        .prepare<[number, number, string, string | null, string, Priority, number | null], number>(
          `INSERT INTO messages (conversation_id, sender_id, text, client_message_id, created_at, priority, reply_to_id)
           VALUES (?, ?, ?, ?, ?, ?, ?)
           ON CONFLICT (sender_id, client_message_id) WHERE client_message_id IS NOT NULL DO NOTHING
           RETURNING id`,
        )
        .pluck(),
      touchConversation: db.prepare<[string, number]>('UPDATE conversations SET updated_at = ? WHERE id = ?'),
      hasUnreadBefore: db.prepare<[number, number, number, number]>(
        `SELECT 1 FROM messages m JOIN conversation_participants p ON p.conversation_id = m.conversation_id AND p.user_id = ?
         WHERE m.conversation_id = ? AND m.sender_id <> ? AND m.id > p.last_read_message_id AND m.id < ? LIMIT 1`,
      ),
      recipients: db.prepare<[number, number], { user_id: number; muted: 0 | 1 }>(
        'SELECT user_id, muted FROM conversation_participants WHERE conversation_id = ? AND user_id <> ? ORDER BY user_id',
      ),
      quote: db.prepare<[number, number], { id: number; text: string; sender_name: string }>(
        'SELECT m.id, m.text, u.display_name AS sender_name FROM messages m JOIN users u ON u.id = m.sender_id WHERE m.id = ? AND m.conversation_id = ?',
      ),
      hasMessage: db.prepare<[number, number]>('SELECT 1 FROM messages WHERE id = ? AND conversation_id = ?'),
      readPosition: db
        .prepare<[number, number], number>('SELECT last_read_message_id FROM conversation_participants WHERE conversation_id = ? AND user_id = ?')
        .pluck(),
      moveReadPosition: db.prepare<[number, number, number]>(
        'UPDATE conversation_participants SET last_read_message_id = ? WHERE conversation_id = ? AND user_id = ?',
      ),
      title: db.prepare<[number], { title: string | null }>('SELECT title FROM conversations WHERE id = ?'),
    };
  }

  /**
   * A page of the user's conversations, newest activity first: the first `limit`, or those after
   * the conversation `before` in that order. Everything is read for the page's conversations
   * only, so someone with thousands of conversations costs no more than someone with a page.
   */
  listFor(userId: number, page: { before?: number | undefined; limit: number }): { conversations: Conversation[]; hasMore: boolean } {
    const after =
      page.before === undefined
        ? undefined
        : this.statements.pagePosition.get(userId, page.before);
    if (page.before !== undefined && !after) return { conversations: [], hasMore: false };
    const rows = this.statements.page.all({ user: userId, updatedAt: after?.updated_at ?? null, id: after?.id ?? null, limit: page.limit + 1 });
    return { conversations: this.complete(rows.slice(0, page.limit)), hasMore: rows.length > page.limit };
  }

  /** One conversation as `userId` sees it, or null when it does not exist or they are not in it. */
  get(conversationId: number, userId: number): Conversation | null {
    const row = this.statements.one.get({ user: userId, id: conversationId });
    return row ? (this.complete([row])[0] ?? null) : null;
  }

  /** Adds participants and last messages to conversation rows, with one query each. */
  private complete(rows: ConversationRow[]): Conversation[] {
    if (rows.length === 0) return [];
    const ids = JSON.stringify(rows.map((row) => row.id));
    const participants = new Map<number, User[]>();
    const participantRows = this.statements.participants.all(ids);
    for (const row of participantRows) {
      const list = participants.get(row.conversation_id) ?? [];
      list.push({ id: row.id, username: row.username, displayName: row.display_name, role: row.role });
      participants.set(row.conversation_id, list);
    }

    const lastMessages = new Map(
      this.statements.lastMessages
        .all(ids)
        .map((row) => [row.conversation_id, toMessage(row)]),
    );

    return rows.map((row) => ({
      id: row.id,
      title: row.title,
      participants: participants.get(row.id) ?? [],
      lastMessage: lastMessages.get(row.id) ?? null,
      unreadCount: row.unread,
      updatedAt: row.updated_at,
      // Only on a muted one, so every other conversation keeps the shape it always had.
      ...(row.muted === 1 ? { muted: true } : {}),
    }));
  }

  isParticipant(conversationId: number, userId: number): boolean {
    return this.statements.isParticipant.get(conversationId, userId) !== undefined;
  }

  /** An untitled conversation of exactly these two people, if there is one. */
  findDirect(userId: number, otherId: number): number | null {
    const row = this.statements.direct.get(userId, otherId);
    return row?.id ?? null;
  }

  /**
   * Creates a conversation of the creator and `otherIds`; with exactly one other person and no
   * title, an existing conversation of the two is returned instead (`created: false`).
   */
  create(creatorId: number, otherIds: readonly number[], title: string | null): { id: number; created: boolean } {
    const create = this.db.transaction(() => {
      if (otherIds.length === 1 && title === null) {
        const existing = this.findDirect(creatorId, otherIds[0] as number);
        if (existing !== null) return { id: existing, created: false };
      }
      const now = new Date().toISOString();
      const id = this.statements.insertConversation.get(title, creatorId, now, now) as number;
      for (const userId of [creatorId, ...otherIds]) this.statements.addParticipant.run(id, userId);
      this.enqueueChanged(id, [creatorId, ...otherIds], 'created');
      return { id, created: true };
    });
    return create.immediate();
  }

  /** A page of messages, oldest first: the newest `limit` ones, or those just before `before`. */
  messages(conversationId: number, page: { before?: number | undefined; limit: number }): MessagesResponse {
    const rows = this.statements.messagePage.all(conversationId, page.before ?? Number.MAX_SAFE_INTEGER, page.limit + 1);
    const hasMore = rows.length > page.limit;
    return { messages: rows.slice(0, page.limit).reverse().map(toMessage), hasMore };
  }

  messageByClientId(senderId: number, clientMessageId: string): Message | null {
    const row = this.statements.byClientId.get(senderId, clientMessageId);
    return row ? toMessage(row) : null;
  }

  /**
   * Saves a message and, in the same transaction, its `new_message` event for every other
   * participant in the outbox, so a committed message always has its notifications on the way,
   * and `message_sent` for the sender's own desks. The sender has read their own message. A
   * `clientMessageId` seen before returns that message.
   */
  send(conversationId: number, sender: User, text: string, options: SendOptions = {}): SentMessage {
    const clientMessageId = options.clientMessageId ?? null;
    const priority = options.priority ?? 'routine';
    const replyTo = options.replyTo ?? null;
    const send = this.db.transaction((): SentMessage => {
      if (clientMessageId !== null) {
        const earlier = this.messageByClientId(sender.id, clientMessageId);
        if (earlier) return { message: earlier, created: false, readAlertIds: [] };
      }
      const createdAt = new Date().toISOString();
      const id = this.statements.insertMessage.get(conversationId, sender.id, text, clientMessageId, createdAt, priority, replyTo?.id ?? null);
      if (id === undefined) {
        const earlier = this.messageByClientId(sender.id, clientMessageId as string) as Message;
        return { message: earlier, created: false, readAlertIds: [] };
      }
      this.statements.touchConversation.run(createdAt, conversationId);
      // Replying reads everything before the reply; the sender's other desks hear of it only
      // when that changed something, which is when a colleague's message was still unread.
      const readUnread = this.statements.hasUnreadBefore.get(sender.id, conversationId, sender.id, id) !== undefined;
      const readAlertIds = this.moveReadMarker(conversationId, sender.id, id, createdAt) ?? [];

      const payload: NewMessagePayload = {
        type: 'new_message',
        conversation_id: String(conversationId),
        sender: sender.displayName,
        text,
        timestamp: createdAt,
        message_id: String(id),
        sender_id: String(sender.id),
        priority,
        ...this.titleOf(conversationId),
        ...(priority === 'urgent' && options.passesDoNotDisturb ? { passes_do_not_disturb: true } : {}),
        ...(replyTo ? { reply_to: { message_id: String(replyTo.id), sender: replyTo.senderName, text: replyTo.text } } : {}),
      };
      const recipients = this.statements.recipients.all(conversationId, sender.id);
      const alertId = this.alerts.create({
        kind: options.alert?.kind ?? 'message',
        priority,
        senderId: sender.id,
        conversationId,
        messageId: id,
        summary: text,
        createdAt,
        recipients: recipients.map(({ user_id }) => ({ userId: user_id, viaRole: options.alert?.viaRole ?? null })),
        escalation: priority === 'urgent' ? (options.escalation ?? null) : null,
        escalatedFrom: options.alert?.escalatedFrom ?? null,
      });
      payload.alert_id = String(alertId);
      for (const { user_id, muted } of recipients)
        this.outbox.enqueue(user_id, muted === 1 ? { ...payload, muted: true } : payload, messageDedupeKey(id, createdAt, user_id));
      const { conversation_title: _title, passes_do_not_disturb: _passes, ...announced } = payload;
      const sent: MessageSentPayload = {
        ...announced,
        type: 'message_sent',
        message_id: String(id),
        sender_id: String(sender.id),
        ...(clientMessageId === null ? {} : { client_message_id: clientMessageId }),
      };
      this.outbox.enqueue(sender.id, sent, messageDedupeKey(id, createdAt, sender.id));
      if (readUnread) this.enqueueRead(conversationId, sender.id, id, createdAt);

      const message: Message = {
        id,
        conversationId,
        senderId: sender.id,
        senderName: sender.displayName,
        text,
        createdAt,
        clientMessageId,
        priority,
        alertId,
        ...(replyTo ? { replyTo } : {}),
      };
      return { message, created: true, readAlertIds };
    });
    return send.immediate();
  }

  /** A message of this conversation as a reply quotes it, or null when it has none by that id. */
  quote(conversationId: number, messageId: number): MessageQuote | null {
    const row = this.statements.quote.get(messageId, conversationId);
    return row ? { id: row.id, senderName: row.sender_name, text: row.text } : null;
  }

  /** Whether `messageId` is a message of this conversation. */
  hasMessage(conversationId: number, messageId: number): boolean {
    return this.statements.hasMessage.get(messageId, conversationId) !== undefined;
  }

  /**
   * Moves the user's read marker up to `messageId`, never back. When it moved, `conversation_read`
   * goes into the outbox in the same transaction, for the user's other desks. Returns whether it
   * moved.
   */
  markRead(conversationId: number, userId: number, messageId: number): ReadMarked {
    const markRead = this.db.transaction((): ReadMarked => {
      const readAt = new Date().toISOString();
      const readAlertIds = this.moveReadMarker(conversationId, userId, messageId, readAt);
      if (readAlertIds) this.enqueueRead(conversationId, userId, messageId, readAt);
      return { moved: readAlertIds !== null, readAlertIds: readAlertIds ?? [] };
    });
    return markRead.immediate();
  }

  /** Null when the marker was already there or beyond; otherwise the alerts that became read. */
  private moveReadMarker(conversationId: number, userId: number, messageId: number, at: string): number[] | null {
    const before = this.statements.readPosition.get(conversationId, userId);
    if (before === undefined || before >= messageId) return null;
    this.statements.moveReadPosition.run(messageId, conversationId, userId);
    return this.readReceipts.record(conversationId, userId, before, messageId, at);
  }

  /** `conversation_title` for a message's event, when the conversation has a title. */
  private titleOf(conversationId: number): { conversation_title?: string } {
    const row = this.statements.title.get(conversationId);
    return row?.title ? { conversation_title: row.title } : {};
  }

  /**
   * `conversation_changed` for each of `userIds`, in the transaction of the change, so their
   * lists show it before any message is sent in it. `change` with a sequence number names
   * the event: the same kind of change may happen again later.
   */
  enqueueChanged(conversationId: number, userIds: readonly number[], change: ConversationChangedPayload['change']): void {
    const payload: ConversationChangedPayload = {
      type: 'conversation_changed',
      conversation_id: String(conversationId),
      change,
      timestamp: new Date().toISOString(),
    };
    const key = `conv:${conversationId}:${change}:${randomBytes(6).toString('hex')}`;
    for (const userId of new Set(userIds)) this.outbox.enqueue(userId, payload, `${key}:${userId}`);
  }

  private enqueueRead(conversationId: number, userId: number, messageId: number, readAt: string): void {
    const payload: ConversationReadPayload = {
      type: 'conversation_read',
      conversation_id: String(conversationId),
      message_id: String(messageId),
      timestamp: readAt,
    };
    this.outbox.enqueue(userId, payload, readDedupeKey(conversationId, messageId, readAt, userId));
  }
}
