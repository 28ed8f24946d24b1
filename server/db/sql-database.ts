/**
 * The database as every store sees it: the part of better-sqlite3's API the stores use, which
 * both engines implement synchronously (server/db/README.md says why). Stores write SQL that
 * both engines accept; where they cannot, they choose their text by `dialect`.
 */
export type SqlDialect = 'sqlite' | 'postgres';

export interface SqlRunResult {
  /** Rows the statement inserted, updated or deleted. */
  changes: number;
}

/** Positional parameters as a tuple, or named ones as one object. */
type Arguments<Params> = Params extends unknown[] ? Params : [Params];

/**
 * A statement with `?` placeholders (or `:name` ones bound from one object). With `pluck()` a
 * row is its first column's value.
 */
export interface SqlStatement<Params extends unknown[] | object = unknown[], Row = unknown> {
  run(...params: Arguments<Params>): SqlRunResult;
  get(...params: Arguments<Params>): Row | undefined;
  all(...params: Arguments<Params>): Row[];
  pluck(toggle?: boolean): this;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a transaction wraps a function of any arguments
type AnyFunction = (...args: any[]) => unknown;

/**
 * `fn` as one transaction; called inside another transaction it runs in a savepoint, so its
 * failure undoes only its own writes. `immediate` takes the write lock at the start (two
 * processes never both read and then both write): SQLite's BEGIN IMMEDIATE, and on PostgreSQL
 * a transaction advisory lock that every immediate transaction takes.
 */
export interface SqlTransaction<F extends AnyFunction> {
  (...args: Parameters<F>): ReturnType<F>;
  immediate(...args: Parameters<F>): ReturnType<F>;
  /**
   * As `immediate`, but only if the write lock is free now: otherwise `fn` does not run and
   * LOCK_BUSY comes back at once, where `immediate` would wait (SQLite's busy handler sleeping,
   * or the PostgreSQL worker's answer awaited) with the whole event loop, streams included,
   * stopped behind it. For writes that can wait for a later turn.
   */
  ifLockFree(...args: Parameters<F>): ReturnType<F> | typeof LOCK_BUSY;
}

/** What `ifLockFree` returns when another connection holds the write lock. */
export const LOCK_BUSY: unique symbol = Symbol('the write lock is held by another connection');

export interface SqlDatabase {
  readonly dialect: SqlDialect;
  prepare<Params extends unknown[] | object = unknown[], Row = unknown>(sql: string): SqlStatement<Params, Row>;
  transaction<F extends AnyFunction>(fn: F): SqlTransaction<F>;
  /** Runs statements separated by `;`, without parameters (migrations). */
  exec(sql: string): void;
  readonly inTransaction: boolean;
  /** False once closed. */
  readonly open: boolean;
  close(): void;
}

/** `sqlite` when the engine is SQLite, `postgres` otherwise: a store's two texts of one statement. */
export function byDialect<T>(db: SqlDatabase, texts: Record<SqlDialect, T>): T {
  return texts[db.dialect];
}
