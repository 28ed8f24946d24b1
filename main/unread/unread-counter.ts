import {
  announcedMessage,
  readCovers,
  type ConversationPosition,
} from '../../common/conversation-position.js';
import type { NotifyingEvent } from '../../common/events.js';
import type { UnreadSnapshot } from '../cursor/cursor-store.js';

/** Past this many the badge shows "many" anyway; the oldest ids are dropped to bound the file. */
export const MAX_TRACKED_UNREAD = 10_000;

const EMPTY: UnreadSnapshot = { lastReadEventId: 0, unreadIds: [], unreadMessages: [] };

/**
 * The badge number: notifying events newer than the server's read marker, less the message
 * notifications whose conversation the user read that far. The marker moves with
 * `notifications_read` events (any desk of the user marked read), with the state read at
 * sign-in, and at once when this desk marks all read; conversation reads come as
 * `conversation_read` events from any desk. Ids are keys, so a replayed event is never counted
 * twice.
 */
export class UnreadCounter {
  private readUpTo: number;
  /** Each unread event id, with the conversation message it announces, if any. */
  private readonly unread: Map<number, ConversationPosition | null>;

  constructor(snapshot: UnreadSnapshot = EMPTY) {
    this.readUpTo = snapshot.lastReadEventId;
    const announced = new Map(
      snapshot.unreadMessages.map(({ id, conversationId, messageId }) => [id, { conversationId, messageId }]),
    );
    this.unread = new Map(
      snapshot.unreadIds.filter((id) => id > this.readUpTo).map((id) => [id, announced.get(id) ?? null]),
    );
  }

  get count(): number {
    return this.unread.size;
  }

  get lastReadEventId(): number {
    return this.readUpTo;
  }

  /** Counts a notifying event; returns whether the count changed. */
  add(event: NotifyingEvent): boolean {
    if (event.id <= this.readUpTo || this.unread.has(event.id)) return false;
    this.unread.set(event.id, announcedMessage(event));
    if (this.unread.size > MAX_TRACKED_UNREAD) this.unread.delete(Math.min(...this.unread.keys()));
    return true;
  }

  /** Everything up to `id` is read; returns whether the count changed. */
  markReadUpTo(id: number): boolean {
    if (id <= this.readUpTo) return false;
    this.readUpTo = id;
    return this.removeWhere((unreadId) => unreadId <= id);
  }

  /** The user read a conversation up to `read`; returns whether the count changed. */
  markConversationRead(read: ConversationPosition): boolean {
    return this.removeWhere((_id, message) => message !== null && readCovers(read, message));
  }

  snapshot(): UnreadSnapshot {
    const ids = [...this.unread.keys()].sort((a, b) => a - b);
    return {
      lastReadEventId: this.readUpTo,
      unreadIds: ids,
      unreadMessages: ids.flatMap((id) => {
        const message = this.unread.get(id);
        return message ? [{ id, ...message }] : [];
      }),
    };
  }

  private removeWhere(isRead: (id: number, message: ConversationPosition | null) => boolean): boolean {
    const before = this.unread.size;
    for (const [id, message] of this.unread) if (isRead(id, message)) this.unread.delete(id);
    return this.unread.size !== before;
  }
}
