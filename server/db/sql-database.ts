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
}

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
