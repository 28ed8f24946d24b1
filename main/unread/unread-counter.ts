import type { UnreadSnapshot } from '../cursor/cursor-store.js';

/** Past this many the badge shows "many" anyway; the oldest ids are dropped to bound the file. */
export const MAX_TRACKED_UNREAD = 10_000;

/**
 * The badge number: notifying events newer than the server's read marker. The marker moves
 * with `notifications_read` events (any desk of the user marked read), with the state read at
 * sign-in, and at once when this desk marks all read. Ids are a set, so a replayed event is
 * never counted twice.
 */
export class UnreadCounter {
  private readUpTo: number;
  private readonly unread: Set<number>;

  constructor(snapshot: UnreadSnapshot = { lastReadEventId: 0, unreadIds: [] }) {
    this.readUpTo = snapshot.lastReadEventId;
    this.unread = new Set(snapshot.unreadIds.filter((id) => id > this.readUpTo));
  }

  get count(): number {
    return this.unread.size;
  }

  get lastReadEventId(): number {
    return this.readUpTo;
  }

  /** Counts a notifying event; returns whether the count changed. */
  add(id: number): boolean {
    if (id <= this.readUpTo || this.unread.has(id)) return false;
    this.unread.add(id);
    if (this.unread.size > MAX_TRACKED_UNREAD) this.unread.delete(Math.min(...this.unread));
    return true;
  }

  /** Everything up to `id` is read; returns whether the count changed. */
  markReadUpTo(id: number): boolean {
    if (id <= this.readUpTo) return false;
    this.readUpTo = id;
    const before = this.unread.size;
    for (const unreadId of this.unread) if (unreadId <= id) this.unread.delete(unreadId);
    return this.unread.size !== before;
  }

  snapshot(): UnreadSnapshot {
    return { lastReadEventId: this.readUpTo, unreadIds: [...this.unread].sort((a, b) => a - b) };
  }
}
