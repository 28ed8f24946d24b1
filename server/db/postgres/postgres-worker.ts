/**
 * The worker thread behind PostgresDatabase: it owns the `pg` connections (one per database
 * the main thread opened) and answers one request at a time, while the main thread waits
 * (sync-worker.ts). A connection that closed is replaced at the next request, except inside a
 * transaction, whose statements must all run on the connection that began it.
 *
 * Once PostgreSQL could not be reached (a connection attempt failed, or a statement got no answer
 * on its connection), connecting is retried here in the background and every request fails at
 * once until it works: the main thread waits for each answer, so a connection attempt per request
 * would hold the whole process (its health checks, its streams) for the connect timeout, again and
 * again, for as long as the database is away.
 */
import { workerData } from 'node:worker_threads';
import pg from 'pg';
import { serveSyncCalls, type WorkerChannel } from './sync-worker.js';
import type { WorkerReply, WorkerRequest } from './worker-protocol.js';

interface Connection {
  url: string;
  settings: Extract<WorkerRequest, { op: 'open' }>['settings'];
  client: pg.Client | null;
  /** Grows with every new client: a transaction begun on another one cannot go on. */
  generation: number;
  /** While PostgreSQL cannot be reached: why, and the next background attempt. Requests fail at once meanwhile. */
  unreachable: { reason: string; retry: NodeJS.Timeout | undefined } | null;
  closed: boolean;
}

const connections = new Map<number, Connection>();
/** One name per statement text, so each connection parses a statement once. */
const statementNames = new Map<string, string>();

const INT8_OID = 20;
const NUMERIC_OID = 1700;
const BOOL_OID = 16;
const JSON_OID = 114;
const JSONB_OID = 3802;

/** As SQLite gives them: 64-bit integers and numerics as numbers, booleans as 0/1, JSON as its text. */
const sqliteLikeTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID || oid === NUMERIC_OID) return (value: string) => Number(value);
    if (oid === BOOL_OID) return (value: string) => (value === 't' ? 1 : 0);
    if (oid === JSON_OID || oid === JSONB_OID) return (value: string) => value;
    return pg.types.getTypeParser(oid, format ?? 'text');
  },
} as pg.CustomTypesConfig;

/**
 * Asked of PostgreSQL for this session's socket: probe after 5 s of silence, every second, and
 * give up after 5 unanswered probes (or 10 s of unacknowledged data). A server process whose host
 * lost power or its network never closes its connection; without these PostgreSQL's defaults (the
 * kernel's: two hours) keep its session, and with it the outbox relay's turn (a session advisory
 * lock) and any row or advisory lock of a transaction it had open, so every other host's relay
 * would wait that long before publishing anything.
 */
const DEAD_CLIENT_SETTINGS = 'SET tcp_keepalives_idle = 5; SET tcp_keepalives_interval = 1; SET tcp_keepalives_count = 5; SET tcp_user_timeout = 10000';

class ConnectionUnavailableError extends Error {
  readonly code = 'CLINICPULSE_PG_UNAVAILABLE';
}

async function client(connection: Connection, generation: number | undefined): Promise<pg.Client> {
  if (connection.client && (generation === undefined || generation === connection.generation)) return connection.client;
  if (generation !== undefined) {
    throw new ConnectionUnavailableError('the connection to PostgreSQL was lost during the transaction');
  }
  if (connection.unreachable) throw new ConnectionUnavailableError(connection.unreachable.reason);
  try {
    return await connect(connection);
  } catch (error) {
    const reason = `PostgreSQL unreachable: ${(error as Error).message}`;
    reconnectInBackground(connection, reason, connection.settings.holdAfterFailureMs);
    throw new ConnectionUnavailableError(reason);
  }
}

async function connect(connection: Connection): Promise<pg.Client> {
  const created = new pg.Client({
    connectionString: connection.url,
    connectionTimeoutMillis: connection.settings.connectTimeoutMs,
    query_timeout: connection.settings.statementTimeoutMs + 1_000,
    statement_timeout: connection.settings.statementTimeoutMs,
    application_name: 'clinicpulse',
    keepAlive: true,
    types: sqliteLikeTypes,
  });
  created.on('error', () => forget(connection, created));
  created.on('end', () => forget(connection, created));
  try {
    await created.connect();
    await created.query(DEAD_CLIENT_SETTINGS);
  } catch (error) {
    await created.end().catch(() => undefined);
    throw error;
  }
  if (connection.closed) {
    await created.end().catch(() => undefined);
    throw new Error('this database is closed');
  }
  connection.client = created;
  connection.generation += 1;
  return created;
}

/** Until a connection works again: an attempt after `delayMs`, then one every holdAfterFailureMs. */
function reconnectInBackground(connection: Connection, reason: string, delayMs: number): void {
  if (connection.unreachable) {
    connection.unreachable.reason = reason;
    return;
  }
  const unreachable: NonNullable<Connection['unreachable']> = { reason, retry: undefined };
  connection.unreachable = unreachable;
  const attempt = (after: number) => {
    unreachable.retry = setTimeout(() => {
      if (connection.closed) return;
      connect(connection).then(
        () => {
          connection.unreachable = null;
        },
        (error: unknown) => {
          unreachable.reason = `PostgreSQL unreachable: ${(error as Error).message}`;
          attempt(connection.settings.holdAfterFailureMs);
        },
      );
    }, after);
  };
  attempt(delayMs);
}

function forget(connection: Connection, lost: pg.Client): void {
  if (connection.client === lost) connection.client = null;
}

/**
 * A failure of the connection itself (not of a statement): the client goes, and a new one is
 * tried at once in the background; requests fail at once until it connects.
 */
function dropAfterFailure(connection: Connection, used: pg.Client, error: unknown): void {
  if ((error as { severity?: unknown }).severity !== undefined && !/^(08|57P)/.test(String((error as { code?: unknown }).code))) return;
  forget(connection, used);
  used.end().catch(() => undefined);
  if (connection.client === null) reconnectInBackground(connection, `the connection to PostgreSQL failed: ${(error as Error).message}`, 0);
}

async function answer(request: WorkerRequest): Promise<WorkerReply> {
  if (request.op === 'open') {
    connections.set(request.handle, {
      url: request.url,
      settings: request.settings,
      client: null,
      generation: 0,
      unreachable: null,
      closed: false,
    });
    return { rows: [], fields: [], rowCount: 0, generation: 0 };
  }
  const connection = connections.get(request.handle);
  if (!connection) throw new Error('this database is closed');
  if (request.op === 'close') {
    connections.delete(request.handle);
    connection.closed = true;
    clearTimeout(connection.unreachable?.retry);
    await connection.client?.end().catch(() => undefined);
    return { rows: [], fields: [], rowCount: 0, generation: 0 };
  }
  const used = await client(connection, request.generation);
  try {
    if (request.op === 'exec') {
      await used.query(request.sql);
      return { rows: [], fields: [], rowCount: 0, generation: connection.generation };
    }
    let name = statementNames.get(request.sql);
    if (name === undefined) {
      name = `s${statementNames.size + 1}`;
      statementNames.set(request.sql, name);
    }
    const result = await used.query({ name, text: request.sql, values: request.params, rowMode: 'array' });
    return {
      rows: result.rows as unknown[][],
      fields: result.fields.map((field) => field.name),
      rowCount: result.rowCount ?? 0,
      generation: connection.generation,
    };
  } catch (error) {
    dropAfterFailure(connection, used, error);
    throw error;
  }
}

serveSyncCalls(workerData as WorkerChannel, answer);
