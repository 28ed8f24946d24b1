import {
  announcedMessage,
  readCovers,
  type ConversationPosition,
} from '../../common/conversation-position.js';
import type { NotifyingEvent } from '../../common/events.js';
import type { UnreadSnapshot } from '../cursor/cursor-store.js';

/** Past this many the badge shows "many" anyway; the oldest ids are dropped to bound the file. */
export const MAX_TRACKED_UNREAD = 10_000;
/**
 * Read notifications and single marks kept, the newest ids: as many as the server keeps marks
 * per person, so a mark made on any desk finds the notification it is about.
 */
export const MAX_TRACKED_READ = 2_000;

const EMPTY: UnreadSnapshot = {
  lastReadEventId: 0,
  unreadIds: [],
  unreadMessages: [],
  readIds: [],
  marks: [],
};

/**
 * The badge number, as the web inbox counts it (renderer/src/inbox/inbox-state.ts): a
 * notification marked read or unread one by one (`notifications_marked`, any desk) is what its
 * mark says; any other is unread when it is newer than the server's read marker and, for a
 * message, its conversation was not read that far. The marker moves with `notifications_read`
 * events (any desk of the user marked all read), with the state read at sign-in, and at once when
 * this desk marks all read; conversation reads come as `conversation_read` events from any desk.
 * Ids are keys, so a replayed event is never counted twice.
 */
export class UnreadCounter {
  private readUpTo: number;
  /** Each unread event id, with the conversation message it announces, if any. */
  private readonly unread: Map<number, ConversationPosition | null>;
  /** Notifying events received that are read now: a mark can make one unread again. */
  private readonly read: Set<number>;
  private readonly marks: Map<number, boolean>;
  /**
   * The marks loaded over REST hold every `notifications_marked` event up to this id; replaying
   * one of those afterwards would put an older mark back.
   */
  private marksAsOf = 0;

  constructor(snapshot: UnreadSnapshot = EMPTY) {
    this.readUpTo = snapshot.lastReadEventId;
    this.marks = new Map(snapshot.marks.map(({ id, read }) => [id, read]));
    const announced = new Map(
      snapshot.unreadMessages.map(({ id, conversationId, messageId }) => [
        id,
        { conversationId, messageId },
      ]),
    );
    this.unread = new Map(
      snapshot.unreadIds
        .filter((id) => id > this.readUpTo || this.marks.get(id) === false)
        .map((id) => [id, announced.get(id) ?? null]),
    );
    this.read = new Set([
      ...snapshot.readIds,
      ...snapshot.unreadIds.filter((id) => !this.unread.has(id)),
    ]);
  }

  get count(): number {
    return this.unread.size;
  }

  get lastReadEventId(): number {
    return this.readUpTo;
  }

  /** Counts a notifying event; returns whether the count changed. */
  add(event: NotifyingEvent): boolean {
    if (this.unread.has(event.id) || this.read.has(event.id)) return false;
    const mark = this.marks.get(event.id);
    if (mark === true || (mark === undefined && event.id <= this.readUpTo)) {
      this.remember(event.id);
      return false;
    }
    this.unread.set(event.id, announcedMessage(event));
    if (this.unread.size > MAX_TRACKED_UNREAD) this.unread.delete(Math.min(...this.unread.keys()));
    return true;
  }

  /** Everything up to `id` is read, except what was marked unread; returns whether the count changed. */
  markReadUpTo(id: number): boolean {
    if (id <= this.readUpTo) return false;
    this.readUpTo = id;
    return this.readWhere((unreadId) => unreadId <= id);
  }

  /** The user read a conversation up to `read`; returns whether the count changed. */
  markConversationRead(read: ConversationPosition): boolean {
    return this.readWhere((_id, message) => message !== null && readCovers(read, message));
  }

  /**
   * Notifications marked read or unread one by one, on any desk (`notifications_marked`, whose
   * id is `eventId`); returns whether the count changed.
   */
  mark(eventIds: readonly number[], read: boolean, eventId: number): boolean {
    if (eventId <= this.marksAsOf) return false;
    return this.applyMarks(eventIds.map((id) => ({ id, read })));
  }

  /**
   * The marks the server keeps (`GET /api/notifications/marks`), which include every
   * `notifications_marked` event up to `asOf`; returns whether the count changed.
   */
  loadMarks(marks: readonly { id: number; read: boolean }[], asOf: number): boolean {
    this.marksAsOf = Math.max(this.marksAsOf, asOf);
    return this.applyMarks(marks);
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
      readIds: [...this.read].sort((a, b) => a - b),
      marks: [...this.marks]
        .sort(([a], [b]) => a - b)
        .map(([id, read]) => ({ id, read })),
    };
  }

  private applyMarks(marks: readonly { id: number; read: boolean }[]): boolean {
    let changed = false;
    for (const { id, read } of marks) {
      this.marks.set(id, read);
      if (read && this.unread.has(id)) {
        this.unread.delete(id);
        this.remember(id);
        changed = true;
      } else if (!read && this.read.delete(id)) {
        // Marked unread it stays unread, whatever its conversation: nothing to announce.
        this.unread.set(id, null);
        changed = true;
      }
    }
    keepNewest(this.marks, MAX_TRACKED_READ);
    return changed;
  }

  /** Moves the unread ids `isRead` picks, unless marked unread, to the read ones. */
  private readWhere(isRead: (id: number, message: ConversationPosition | null) => boolean): boolean {
    let changed = false;
    for (const [id, message] of this.unread) {
      if (this.marks.get(id) === false || !isRead(id, message)) continue;
      this.unread.delete(id);
      this.remember(id);
      changed = true;
    }
    return changed;
  }

  private remember(id: number): void {
    this.read.add(id);
    keepNewest(this.read, MAX_TRACKED_READ);
  }
}

/** How far past its limit a set may grow before the oldest are let go. */
const TRIM_STEP = 500;

/**
 * Drops the oldest ids past `limit`, in steps: sorting thousands of ids for every event of a
 * burst would cost more than the burst itself.
 */
function keepNewest(ids: Set<number> | Map<number, unknown>, limit: number): void {
  if (ids.size < limit + TRIM_STEP) return;
  const oldest = [...ids.keys()].sort((a, b) => a - b).slice(0, ids.size - limit);
  for (const id of oldest) ids.delete(id);
}
