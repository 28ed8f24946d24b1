import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../common/api.js';
import { ConversationStore } from '../../server/conversations/conversation-store.js';
import { MessageChanges } from '../../server/conversations/message-changes.js';
import type { SqlDatabase } from '../../server/db/sql-database.js';
import { MessageSearch } from '../../server/search/message-search.js';
import { SearchIndexer } from '../../server/search/search-indexer.js';
import { startTestRedis, type TestRedis } from '../support/redis-server.js';
import { addUsers, featureContext, type FeatureContext } from './support/feature-context.js';

// SQLite's FTS5 index alone follows the messages behind their sends; PostgreSQL's is in step.
let redis: TestRedis;
let dir: string;
let feature: FeatureContext;
let db: SqlDatabase;
let store: ConversationStore;
let sender: User;
let reader: number;
let conversationId: number;

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis?.stop();
});
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'clinicpulse-search-index-'));
  feature = featureContext(redis.url, join(dir, 'clinicpulse.db'));
  db = feature.ctx.db;
  store = new ConversationStore(db);
  const [senderId, readerId] = addUsers(feature.ctx, 2) as [number, number];
  sender = { id: senderId, username: 'sender', displayName: 'Nurse Sender', role: 'nurse' };
  reader = readerId;
  conversationId = store.create(senderId, [readerId], 'Ward 3').id;
});
afterEach(async () => {
  await feature.close();
  rmSync(dir, { recursive: true, force: true });
});

const indexed = (word: string): number =>
  db.prepare<[string], number>('SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?').pluck().get(word) as number;
const waiting = (): number[] =>
  db.prepare<[], number>('SELECT message_id FROM messages_fts_pending ORDER BY message_id').pluck().all();
const found = (search: MessageSearch, text: string): string[] =>
  search.search(reader, text, 20).map((result) => result.message.text);
/**
 * FTS5's own check of the index against the messages table; throws when they differ, also while
 * a message waits (it is in the table, not yet in the index), so only after a catch-up.
 */
const checkIndex = (): void => {
  db.prepare("INSERT INTO messages_fts (messages_fts, rank) VALUES ('integrity-check', 1)").run();
};

describe('the message search index', () => {
  it('is not written by a send: the message waits for the indexer, and a search still finds it', () => {
    const { message } = store.send(conversationId, sender, 'Potassium result for bed 4');
    expect(indexed('potassium')).toBe(0);
    expect(waiting()).toEqual([message.id]);

    expect(found(new MessageSearch(db), 'potassium bed')).toEqual(['Potassium result for bed 4']);
    expect(waiting()).toEqual([]);
    expect(indexed('potassium')).toBe(1);
    checkIndex();
  });

  it('stays true to edits and deletions of messages waiting and of messages indexed', () => {
    const search = new MessageSearch(db);
    const changes = new MessageChanges(db);
    const early = store.send(conversationId, sender, 'Chart for bed 1').message;
    const removed = store.send(conversationId, sender, 'Discharge letter for bed 2').message;
    expect(found(search, 'bed')).toHaveLength(2);
    const late = store.send(conversationId, sender, 'Scan booked for bed 3').message;
    const lateRemoved = store.send(conversationId, sender, 'Pharmacy call about bed 5').message;
    expect(waiting()).toEqual([late.id, lateRemoved.id]);

    changes.edit(conversationId, early.id, sender.id, 'Chart for bed 7');
    changes.edit(conversationId, late.id, sender.id, 'Scan booked for bed 8');
    changes.delete(conversationId, removed.id, sender.id);
    // No route deletes a row (a deleted message keeps its row, emptied); a conversation's
    // deletion would, through ON DELETE CASCADE, and the trigger must hold for it too.
    db.prepare<[number]>('DELETE FROM messages WHERE id = ?').run(lateRemoved.id);

    expect(found(search, 'bed')).toEqual(['Scan booked for bed 8', 'Chart for bed 7']);
    expect(found(search, 'discharge')).toEqual([]);
    expect(found(search, 'pharmacy')).toEqual([]);
    expect(found(search, '3')).toEqual([]);
    expect(waiting()).toEqual([]);
    checkIndex();
  });

  it('is brought up to date in the background, a chunk at a time, without a search', async () => {
    const indexer = new SearchIndexer(db, (error) => {
      throw error;
    });
    for (let i = 0; i < 120; i++) store.send(conversationId, sender, `Round ${i} on ward 6`);
    expect(waiting()).toHaveLength(120);
    indexer.start();
    try {
      await expect.poll(() => waiting().length).toBe(0);
    } finally {
      indexer.stop();
    }
    expect(indexed('ward')).toBe(120);
    checkIndex();
  });
});
