import { performance } from 'node:perf_hooks';
import { LOCK_BUSY, type SqlDatabase } from './sql-database.js';
import { LOCK_GIVE_UP_MS, LOCK_RETRY_MS, lockWaitGivenUp } from './when-lock-free.js';

/** One item's outcome inside a commit: it is answered with this once the commit holds it. */
export type Settled<Result> = { ok: Result } | { failed: unknown };

export interface GroupCommitWrite<Result> {
  /** One per item, in the items' order. */
  outcomes: Settled<Result>[];
  /** Runs once the transaction committed (never after a rollback). */
  committed?: () => void;
}

export interface GroupCommitOptions<Item, Result> {
  /** Under load at most one commit per this many ms; a lone item still commits in the next turn. */
  windowMs: number;
  /** How many waiting items one transaction takes at most, so one commit never grows unbounded. */
  maxPerCommit: number;
  /** Writes the items, inside the transaction; throwing rolls all of them back and fails them all. */
  write(items: readonly Item[]): GroupCommitWrite<Result>;
}

/**
 * Items written while the event loop is busy share one immediate transaction (a group commit):
 * most of what one write costs SQLite (the WAL pages of the indexes it touches, the commit) is
 * the same for the next, so at hundreds of writes a second a commit each was most of their
 * cost. A lone item commits in the next turn of the event loop; one that comes within
 * `windowMs` of the last commit joins the next one, at the end of the window. Each item is
 * answered only after the commit that holds it. The transaction never waits for the write lock
 * on the event loop (`ifLockFree`): held elsewhere, it is tried again a millisecond later.
 */
export class GroupCommit<Item, Result> {
  private pending: { item: Item; resolve(result: Result): void; reject(error: unknown): void }[] = [];
  private scheduled = false;
  private lastCommitAt = Number.NEGATIVE_INFINITY;
  /** When the waiting commit first found the write lock held (ms, performance.now()). */
  private busySince: number | null = null;

  constructor(
    private readonly db: SqlDatabase,
    private readonly options: GroupCommitOptions<Item, Result>,
  ) {}

  add(item: Item): Promise<Result> {
    return new Promise((resolve, reject) => {
      this.pending.push({ item, resolve, reject });
      if (this.scheduled) return;
      this.scheduled = true;
      const wait = this.lastCommitAt + this.options.windowMs - performance.now();
      if (wait > 0) setTimeout(() => this.commit(), wait);
      else setImmediate(() => this.commit());
    });
  }

  private commit(): void {
    const startedAt = performance.now();
    const taken = this.pending.slice(0, this.options.maxPerCommit);
    let written: GroupCommitWrite<Result> | typeof LOCK_BUSY;
    try {
      written = this.db.transaction(() => this.options.write(taken.map(({ item }) => item))).ifLockFree();
    } catch (error) {
      this.settle(taken.length, startedAt);
      for (const { reject } of taken) reject(error);
      return;
    }
    if (written === LOCK_BUSY) {
      this.busySince ??= startedAt;
      if (startedAt - this.busySince < LOCK_GIVE_UP_MS) {
        setTimeout(() => this.commit(), LOCK_RETRY_MS);
        return;
      }
      this.settle(taken.length, startedAt);
      const error = lockWaitGivenUp();
      for (const { reject } of taken) reject(error);
      return;
    }
    this.settle(taken.length, startedAt);
    const { outcomes, committed } = written;
    committed?.();
    taken.forEach(({ resolve, reject }, index) => {
      const outcome = outcomes[index];
      if (!outcome) reject(new Error('a group commit lost an outcome'));
      else if ('ok' in outcome) resolve(outcome.ok);
      else reject(outcome.failed);
    });
  }

  /** The first `count` waiting items are done with (committed or failed); the next commit is scheduled if more wait. */
  private settle(count: number, startedAt: number): void {
    this.pending.splice(0, count);
    this.busySince = null;
    this.lastCommitAt = startedAt;
    this.scheduled = this.pending.length > 0;
    if (this.scheduled) setImmediate(() => this.commit());
  }
}
