import type { SqlDatabase } from '../db/sql-database.js';
import { ConversationStore } from './conversation-store.js';

export class MembershipError extends Error {
  constructor(
    readonly reason: 'not_creator' | 'not_participant' | 'last_person',
    message: string,
  ) {
    super(message);
    this.name = 'MembershipError';
  }
}

/**
 * Changes to who is in a conversation and what it is called, each announced in the same
 * transaction by `conversation_changed` to everyone it concerns (someone removed included, so
 * their lists drop it). Sending reads the participants afresh, so whoever is removed receives
 * nothing after.
 */
export class ConversationMembership {
  private readonly conversations: ConversationStore;

  constructor(private readonly db: SqlDatabase) {
    this.conversations = new ConversationStore(db);
  }

  participants(conversationId: number): number[] {
    return this.db
      .prepare<[number], number>(
        'SELECT user_id FROM conversation_participants WHERE conversation_id = ? ORDER BY user_id',
      )
      .pluck()
      .all(conversationId);
  }

  private creatorOf(conversationId: number): number | null {
    return (
      this.db
        .prepare<[number], number>('SELECT created_by FROM conversations WHERE id = ?')
        .pluck()
        .get(conversationId) ?? null
    );
  }

  rename(conversationId: number, title: string | null): void {
    this.db
      .transaction(() => {
        this.db
          .prepare<[string | null, number]>('UPDATE conversations SET title = ? WHERE id = ?')
          .run(title, conversationId);
        this.conversations.enqueueChanged(
          conversationId,
          this.participants(conversationId),
          'renamed',
        );
      })
      .immediate();
  }

  /** Only for the person themselves; nobody else's desks need to hear of it. */
  setMuted(conversationId: number, userId: number, muted: boolean): void {
    this.db
      .prepare<[number, number, number]>(
        'UPDATE conversation_participants SET muted = ? WHERE conversation_id = ? AND user_id = ?',
      )
      .run(Number(muted), conversationId, userId);
  }

  /** Adds people (already there: no change); they read from the newest message on. */
  add(conversationId: number, userIds: readonly number[]): number[] {
    return this.db
      .transaction((): number[] => {
        const present = new Set(this.participants(conversationId));
        const added = [...new Set(userIds)].filter((id) => !present.has(id));
        if (added.length === 0) return [];
        const newest =
          this.db
            .prepare<[number], number>(
              'SELECT coalesce(max(id), 0) FROM messages WHERE conversation_id = ?',
            )
            .pluck()
            .get(conversationId) ?? 0;
        const insert = this.db.prepare<[number, number, number]>(
          'INSERT INTO conversation_participants (conversation_id, user_id, last_read_message_id) VALUES (?, ?, ?)',
        );
        for (const id of added) insert.run(conversationId, id, newest);
        this.conversations.enqueueChanged(
          conversationId,
          [...present, ...added],
          'participants_changed',
        );
        return added;
      })
      .immediate();
  }

  /**
   * Removes someone: anyone may leave; only whoever started the conversation may remove others.
   * The last person cannot leave (the conversation would be nobody's).
   */
  remove(conversationId: number, userId: number, by: number): void {
    this.db
      .transaction(() => {
        const present = this.participants(conversationId);
        if (!present.includes(userId))
          throw new MembershipError(
            'not_participant',
            `user ${userId} is not in this conversation`,
          );
        if (userId !== by && this.creatorOf(conversationId) !== by)
          throw new MembershipError(
            'not_creator',
            'only whoever started the conversation may remove someone else',
          );
        if (present.length === 1)
          throw new MembershipError(
            'last_person',
            'the last person in a conversation cannot leave it',
          );
        this.db
          .prepare<[number, number]>(
            'DELETE FROM conversation_participants WHERE conversation_id = ? AND user_id = ?',
          )
          .run(conversationId, userId);
        this.conversations.enqueueChanged(conversationId, present, 'participants_changed');
      })
      .immediate();
  }
}
