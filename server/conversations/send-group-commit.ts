import { GroupCommit, type GroupCommitWrite, type Settled } from '../db/group-commit.js';
import type { SqlDatabase } from '../db/sql-database.js';
import type { User } from '../../common/api.js';
import type { ConversationStore, SendOptions, SentMessage } from './conversation-store.js';

interface Send {
  conversationId: number;
  sender: User;
  text: string;
  options: SendOptions;
}

/** How many waiting sends one transaction takes at most, so one commit never grows unbounded. */
const MAX_SENDS_PER_COMMIT = 200;
/**
 * Under load at most one commit per this many ms: a send that arrives sooner after the last
 * commit waits for the others of the window. At 1,000 messages a second a send came about once
 * per turn of the event loop, so the commits of one or two messages each were most of the
 * message path's CPU (each writes its ~22 pages to the WAL). Each commit also brings one relay
 * drain: an outbox read, a publish script's round trip to Redis and a `markSent` transaction.
 * 6 ms rather than 4: 0.54 instead of 0.59 ms of server + Redis CPU per message at 1,000/s, for
 * about 1.5 ms more at the median and a p99 still far inside the path's 25 ms
 * (bench/RESULTS.md). A lone send still commits at once.
 */
export const SEND_COMMIT_WINDOW_MS = 6;

/**
 * Messages sent while the event loop is busy share one transaction (db/group-commit.ts): one
 * message alone writes about 22 pages to the WAL (the message and its indexes, the search
 * index, the alert, the outbox rows), and most of them are the same pages for the next message,
 * so at hundreds of messages a second a commit per message was most of a send's CPU and I/O
 * (bench/RESULTS.md, the message path). Each send keeps its own savepoint (ConversationStore.send
 * is a transaction, nested here): one that fails changes nothing and fails alone; every send is
 * answered only after the commit that holds it.
 */
export class SendGroupCommit {
  private readonly commits: GroupCommit<Send, SentMessage>;

  constructor(
    private readonly db: SqlDatabase,
    private readonly store: ConversationStore,
    commitWindowMs = SEND_COMMIT_WINDOW_MS,
  ) {
    this.commits = new GroupCommit(db, { windowMs: commitWindowMs, maxPerCommit: MAX_SENDS_PER_COMMIT, write: (sends) => this.write(sends) });
  }

  send(conversationId: number, sender: User, text: string, options: SendOptions = {}): Promise<SentMessage> {
    return this.commits.add({ conversationId, sender, text, options });
  }

  private write(sends: readonly Send[]): GroupCommitWrite<SentMessage> {
    const outcomes: Settled<SentMessage>[] = [];
    for (const { conversationId, sender, text, options } of sends) {
      try {
        outcomes.push({ ok: this.store.send(conversationId, sender, text, options) });
      } catch (error) {
        // Some errors make SQLite roll the whole transaction back: then none of it was written.
        if (!this.db.inTransaction) throw error;
        outcomes.push({ failed: error });
      }
    }
    return { outcomes };
  }
}
