import type { Database } from 'better-sqlite3';
import { LOCK_BUSY, type SqlDatabase, type SqlTransaction } from './sql-database.js';

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
    const transaction = this.native.transaction(fn) as unknown as SqlTransaction<F>;
    const ifLockFree = (...args: Parameters<F>): ReturnType<F> | typeof LOCK_BUSY => {
      if (this.native.inTransaction) return transaction(...args);
      if (!this.beginImmediateIfFree()) return LOCK_BUSY;
      try {
        const result = fn(...args) as ReturnType<F>;
        this.native.exec('COMMIT');
        return result;
      } catch (error) {
        // A failure SQLite rolled back itself (a full disk, say) has left no transaction.
        if (this.native.inTransaction) this.native.exec('ROLLBACK');
        throw error;
      }
    };
    return Object.assign(transaction, { ifLockFree });
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

  /**
   * BEGIN IMMEDIATE without the connection's busy timeout; the statements after it have the
   * timeout back (holding the write lock of a WAL database, they wait for no other writer).
   */
  private beginImmediateIfFree(): boolean {
    const timeout = this.native.pragma('busy_timeout', { simple: true }) as number;
    this.native.pragma('busy_timeout = 0');
    try {
      this.native.exec('BEGIN IMMEDIATE');
      return true;
    } catch (error) {
      if (String((error as { code?: unknown }).code).startsWith('SQLITE_BUSY')) return false;
      throw error;
    } finally {
      this.native.pragma(`busy_timeout = ${timeout}`);
    }
  }
}
