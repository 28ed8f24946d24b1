import type { Database } from 'better-sqlite3';
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
