import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { User } from '../../common/api.js';
import { ConversationStore } from '../../server/conversations/conversation-store.js';
import { SendGroupCommit } from '../../server/conversations/send-group-commit.js';
import type { SentMessage } from '../../server/conversations/conversation-store.js';
import { openDatabase } from '../../server/db/database.js';
import type { SqlDatabase } from '../../server/db/sql-database.js';

/**
 * Sends made in one turn of the event loop share a transaction; what each sender gets must not
 * depend on who else sent at that moment.
 */
describe('messages committed together', () => {
  let dir: string;
  let db: SqlDatabase;
  let store: ConversationStore;
  let sends: SendGroupCommit;
  let kim: User;
  let lee: User;
  let conversation: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'clinicpulse-group-commit-'));
    db = openDatabase(join(dir, 'clinicpulse.db'));
    const insert = db
      .prepare<[string, string], number>("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, ?, 'nurse', 'unused') RETURNING id")
      .pluck();
    kim = { id: insert.get('kim', 'Nurse Kim') as number, username: 'kim', displayName: 'Nurse Kim', role: 'nurse' };
    lee = { id: insert.get('lee', 'Mia Lee') as number, username: 'lee', displayName: 'Mia Lee', role: 'nurse' };
    store = new ConversationStore(db);
    sends = new SendGroupCommit(db, store);
    conversation = store.create(kim.id, [lee.id], null).id;
  });
  afterEach(() => {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const outboxFor = (messageId: number) =>
    db.prepare<[string], { user_id: number }>('SELECT user_id FROM outbox WHERE dedupe_key LIKE ? ORDER BY user_id').all(`msg:${messageId}@%`);

  it('a send that fails fails alone: the others of its commit are saved with their notifications, it leaves nothing', async () => {
    const [first, broken, last] = await Promise.allSettled([
      sends.send(conversation, kim, 'Room 3 is ready', { clientMessageId: 'desk-kim-0001' }),
      // No such conversation: the message's foreign key fails inside the shared transaction.
      sends.send(conversation + 1000, kim, 'Lost in transit', { clientMessageId: 'desk-kim-0002' }),
      sends.send(conversation, lee, 'On my way', { clientMessageId: 'desk-lee-0001' }),
    ]);
    expect(broken.status).toBe('rejected');
    expect(first.status).toBe('fulfilled');
    expect(last.status).toBe('fulfilled');
    const saved = store.messages(conversation, { limit: 10 }).messages.map((message) => message.text);
    expect(saved).toEqual(['Room 3 is ready', 'On my way']);
    expect(db.prepare('SELECT count(*) AS n FROM messages WHERE text = ?').get('Lost in transit')).toEqual({ n: 0 });
    if (first.status !== 'fulfilled' || last.status !== 'fulfilled') return;
    // Each saved message has new_message for the other and message_sent for its sender.
    expect(outboxFor(first.value.message.id).map((row) => row.user_id).sort()).toEqual([kim.id, lee.id].sort());
    expect(outboxFor(last.value.message.id).map((row) => row.user_id).sort()).toEqual([kim.id, lee.id].sort());
    // The failed one's client id is free: retrying it sends it.
    const retried = await sends.send(conversation, kim, 'Lost in transit', { clientMessageId: 'desk-kim-0002' });
    expect(retried.created).toBe(true);
  });

  it('sends made soon after a commit wait for the window and share the next commit, each answered with its own message', async () => {
    let commits = 0;
    // The same database, counting the group commit's transactions (a send's own are savepoints inside them).
    const counting = Object.create(db, {
      transaction: {
        value: (fn: () => void) => {
          const transaction = db.transaction(fn);
          return Object.assign(() => transaction(), { ifLockFree: () => (commits++, transaction.ifLockFree()) });
        },
      },
    }) as SqlDatabase;
    const windowed = new SendGroupCommit(counting, store, 500);
    const first = await windowed.send(conversation, kim, 'Bed 2 is free');
    expect(commits).toBe(1);
    const later: Promise<SentMessage>[] = [];
    for (const [index, sender] of [kim, lee, kim, lee, kim].entries()) {
      later.push(windowed.send(conversation, sender, `Update ${index + 1}`));
      await new Promise((resolve) => setImmediate(resolve));
    }
    const answered = await Promise.all(later);
    expect(commits).toBe(2);
    expect(answered.map(({ message }) => [message.senderId, message.text])).toEqual(
      [kim, lee, kim, lee, kim].map((sender, index) => [sender.id, `Update ${index + 1}`]),
    );
    expect(store.messages(conversation, { limit: 10 }).messages.map((message) => message.id)).toEqual(
      [first, ...answered].map(({ message }) => message.id),
    );
  });

  it('a retried send in the same commit as the first returns the first message', async () => {
    const [first, again] = await Promise.all([
      sends.send(conversation, kim, 'Bed 4 needs obs', { clientMessageId: 'desk-kim-0003' }),
      sends.send(conversation, kim, 'Bed 4 needs obs', { clientMessageId: 'desk-kim-0003' }),
    ]);
    expect(first.created).toBe(true);
    expect(again).toMatchObject({ created: false, message: { id: first.message.id } });
    expect(store.messages(conversation, { limit: 10 }).messages.map((message) => message.text)).toEqual(['Bed 4 needs obs']);
  });
});
