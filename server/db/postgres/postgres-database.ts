import { fileURLToPath } from 'node:url';
import { LOCK_BUSY, type SqlDatabase, type SqlRunResult, type SqlStatement, type SqlTransaction } from '../sql-database.js';
import { numberPlaceholders, type NumberedSql } from './placeholders.js';
import { SyncWorker } from './sync-worker.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

export interface PostgresSettings {
  /** A connection attempt that takes longer fails. */
  connectTimeoutMs: number;
  /** PostgreSQL cancels a statement that runs longer (statement_timeout). */
  statementTimeoutMs: number;
  /** While PostgreSQL cannot be reached, the wait between background connection attempts (requests fail at once meanwhile). */
  holdAfterFailureMs: number;
}

export const DEFAULT_POSTGRES_SETTINGS: PostgresSettings = {
  connectTimeoutMs: 2_000,
  statementTimeoutMs: 5_000,
  holdAfterFailureMs: 1_000,
};

/** A statement PostgreSQL refused, or the connection failing; `code` is the SQLSTATE when there is one. */
export class PostgresError extends Error {
  override readonly name = 'PostgresError';
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

/** Past the worker's own connect and statement timeouts: only a worker that is stuck waits this long. */
const WORKER_TIMEOUT_MS = 30_000;
let worker: SyncWorker | undefined;
let nextHandle = 1;
/** Any number, the same in every process sharing the database. */
export const IMMEDIATE_LOCK = 0x696d_6d65_6469;

/** One worker thread per process, holding the connection of every PostgresDatabase in it. */
function callWorker(): (request: WorkerRequest) => WorkerReply {
  worker ??= new SyncWorker(fileURLToPath(new URL('./postgres-worker.ts', import.meta.url)));
  const started = worker;
  return (request) => started.call(request, WORKER_TIMEOUT_MS) as WorkerReply;
}

/**
 * PostgreSQL behind the stores' synchronous interface: each call waits for its answer from a
 * worker thread that holds this database's one connection. Transactions are therefore never
 * interleaved within a process, as with SQLite; nested ones are savepoints.
 */
export class PostgresDatabase implements SqlDatabase {
  readonly dialect = 'postgres';
  private readonly call = callWorker();
  private readonly handle = nextHandle++;
  private depth = 0;
  /** The connection the open transaction began on. */
  private generation: number | undefined;
  private closed = false;

  constructor(url: string, settings: PostgresSettings = DEFAULT_POSTGRES_SETTINGS) {
    this.call({ op: 'open', handle: this.handle, url, settings });
  }

  readonly prepare: SqlDatabase['prepare'] = (sql: string) => new PostgresStatement(this, numberPlaceholders(sql)) as never;

  /** One statement; throws PostgresError. */
  query(sql: string, params: unknown[]): WorkerReply {
    return this.request({ op: 'query', handle: this.handle, sql, params, generation: this.generation });
  }

  exec(sql: string): void {
    this.request({ op: 'exec', handle: this.handle, sql, generation: this.generation });
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- as SqlDatabase['transaction']
  transaction<F extends (...args: any[]) => unknown>(fn: F): SqlTransaction<F> {
    const run = (lock: 'none' | 'wait' | 'if free', args: Parameters<F>): ReturnType<F> | typeof LOCK_BUSY => {
      const savepoint = this.depth > 0 ? `clinicpulse_${this.depth}` : null;
      if (savepoint) this.exec(`SAVEPOINT ${savepoint}`);
      else if (!this.begin(lock)) return LOCK_BUSY;
      this.depth += 1;
      let result: ReturnType<F>;
      try {
        result = fn(...args) as ReturnType<F>;
      } catch (error) {
        this.depth -= 1;
        this.undo(savepoint);
        throw error;
      }
      this.depth -= 1;
      if (savepoint) this.exec(`RELEASE SAVEPOINT ${savepoint}`);
      else this.finish('COMMIT');
      return result;
    };
    return Object.assign((...args: Parameters<F>) => run('none', args) as ReturnType<F>, {
      immediate: (...args: Parameters<F>) => run('wait', args) as ReturnType<F>,
      ifLockFree: (...args: Parameters<F>) => run('if free', args),
    }) as SqlTransaction<F>;
  }

  /**
   * BEGIN, and for an immediate transaction the advisory lock that stands for SQLite's write
   * lock: one such transaction at a time in the whole database, so what a store read in it is
   * still true when it writes (a last admin, a direct conversation, the demo accounts), whichever
   * process or host the other writer is on. False when the lock was asked for only if free and
   * was not (the transaction is then over).
   */
  private begin(lock: 'none' | 'wait' | 'if free'): boolean {
    const sql = lock === 'wait' ? `BEGIN; SELECT pg_advisory_xact_lock(${IMMEDIATE_LOCK})` : 'BEGIN';
    this.generation = this.request({ op: 'exec', handle: this.handle, sql }).generation;
    if (lock !== 'if free') return true;
    let locked: unknown;
    try {
      locked = this.query(`SELECT CASE WHEN pg_try_advisory_xact_lock(${IMMEDIATE_LOCK}) THEN 1 ELSE 0 END`, []).rows[0]?.[0];
    } catch (error) {
      this.undo(null);
      throw error;
    }
    if (Number(locked) === 1) return true;
    this.finish('ROLLBACK');
    return false;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  get open(): boolean {
    return !this.closed;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.call({ op: 'close', handle: this.handle });
  }

  private undo(savepoint: string | null): void {
    try {
      if (savepoint) this.exec(`ROLLBACK TO SAVEPOINT ${savepoint}`);
      else this.finish('ROLLBACK');
    } catch {
      // The connection went: PostgreSQL rolled the transaction back itself.
      if (!savepoint) this.generation = undefined;
    }
  }

  /** COMMIT or ROLLBACK; either way the transaction is over, also when the statement failed. */
  private finish(statement: 'COMMIT' | 'ROLLBACK'): void {
    try {
      this.exec(statement);
    } finally {
      this.generation = undefined;
    }
  }

  private request(request: WorkerRequest): WorkerReply {
    if (this.closed) throw new TypeError('The database connection is not open');
    try {
      return this.call(request);
    } catch (error) {
      const { code, message } = error as { code?: unknown; message?: unknown };
      throw new PostgresError(String(message ?? error), typeof code === 'string' ? code : undefined);
    }
  }
}

class PostgresStatement<Row> implements SqlStatement<unknown[], Row> {
  private plucking = false;

  constructor(
    private readonly db: PostgresDatabase,
    private readonly sql: NumberedSql,
  ) {}

  run(...params: unknown[]): SqlRunResult {
    return { changes: this.execute(params).rowCount };
  }

  get(...params: unknown[]): Row | undefined {
    const reply = this.execute(params);
    return reply.rows.length === 0 ? undefined : this.row(reply, reply.rows[0] as unknown[]);
  }

  all(...params: unknown[]): Row[] {
    const reply = this.execute(params);
    return reply.rows.map((values) => this.row(reply, values));
  }

  pluck(toggle = true): this {
    this.plucking = toggle;
    return this;
  }

  private execute(params: unknown[]): WorkerReply {
    return this.db.query(this.sql.text, this.values(params));
  }

  private values(params: unknown[]): unknown[] {
    const { names } = this.sql;
    const given = names ? names.map((name) => (params[0] as Record<string, unknown>)[name]) : params;
    return given.map(toParameter);
  }

  private row(reply: WorkerReply, values: unknown[]): Row {
    if (this.plucking) return values[0] as Row;
    const row: Record<string, unknown> = {};
    reply.fields.forEach((field, index) => (row[field] = values[index]));
    return row as Row;
  }
}

/** As better-sqlite3 binds them: booleans as 0/1, bigints as integers, undefined as NULL. */
function toParameter(value: unknown): unknown {
  if (value === undefined) return null;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return value.toString();
  return value;
}
