import type { Database, Statement } from 'better-sqlite3';
import type { SqlDatabase, SqlTransaction } from './sql-database.js';

/**
 * better-sqlite3 behind the stores' interface: its statements and transactions are handed out
 * as they are, so SQLite behaves exactly as before the interface existed.
 */
export class SqliteDatabase implements SqlDatabase {
  readonly dialect = 'sqlite';

  constructor(
    /** The connection itself, for what only SQLite has (pragmas). */
    readonly native: Database,
  ) {}

  readonly prepare: SqlDatabase['prepare'] = (sql: string) => this.native.prepare(sql) as never;

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as SqlDatabase['transaction']
  transaction<F extends (...args: any[]) => unknown>(fn: F): SqlTransaction<F> {
    return this.native.transaction(fn) as unknown as SqlTransaction<F>;
  }

  exec(sql: string): void {
    this.native.exec(sql);
  }

  /** `PRAGMA busy_timeout` statements, prepared once: a group commit reads it and sets it twice. */
  private readonly busyTimeouts = new Map<number, Statement>();
  private busyTimeoutNow: Statement | undefined;

  withLockWait<T>(waitMs: number, fn: () => T): T {
    this.busyTimeoutNow ??= this.native.prepare('PRAGMA busy_timeout').pluck();
    const usual = this.busyTimeoutNow.get() as number;
    this.setBusyTimeout(waitMs);
    try {
      return fn();
    } finally {
      this.setBusyTimeout(usual);
    }
  }

  private setBusyTimeout(ms: number): void {
    let statement = this.busyTimeouts.get(ms);
    if (!statement) {
      statement = this.native.prepare(`PRAGMA busy_timeout = ${Math.max(0, Math.trunc(ms))}`);
      this.busyTimeouts.set(ms, statement);
    }
    statement.get();
  }

  get inTransaction(): boolean {
    return this.native.inTransaction;
  }

  get open(): boolean {
    return this.native.open;
  }

  close(): void {
    this.native.close();
  }
}
