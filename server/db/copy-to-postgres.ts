import type { PostgresDatabase } from './postgres/postgres-database.js';
import type { SqliteDatabase } from './sqlite-database.js';

export interface CopiedTable {
  table: string;
  rows: number;
}

/** Why the copy was refused or failed; nothing was written to PostgreSQL. */
export class CopyRefusedError extends Error {}

/** PostgreSQL takes at most 65,535 parameters per statement; a batch stays well under. */
const MAX_PARAMETERS = 30_000;
const MAX_ROWS_PER_INSERT = 500;

/** SQLite's own bookkeeping, and its full-text index, which PostgreSQL keeps as an expression index instead. */
const NOT_COPIED = /^(sqlite_|schema_migrations$|messages_fts)/;

/**
 * Copies every row of a SQLite installation into an empty PostgreSQL database, both at the same
 * schema version (each opened through openDatabase / openPostgresDatabase, which migrate them),
 * keeping every id: the event history in Redis names users, conversations, messages and alerts
 * by id, so it stays true. One PostgreSQL transaction: on any failure nothing is left behind.
 *
 * Tables go parents first (SQLite's foreign keys say which), rows in primary-key order (a reply's
 * message before it). The tables' own triggers are off meanwhile: the rows already carry what
 * they would compute (a sign-in's time on its user). The identity sequences then continue after
 * the highest id copied.
 */
export function copySqliteToPostgres(sqlite: SqliteDatabase, postgres: PostgresDatabase): CopiedTable[] {
  const tables = tablesParentsFirst(sqlite);
  const postgresTables = new Set(
    postgres.prepare<[], string>("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'").pluck().all(),
  );
  const copied: CopiedTable[] = [];
  // A read transaction: one consistent snapshot of SQLite, even if something still wrote to it.
  sqlite.transaction(() => {
    postgres.transaction(() => {
      for (const table of tables) {
        if (!postgresTables.has(table)) throw new CopyRefusedError(`PostgreSQL has no table ${table}: are both at the same version of ClinicPulse?`);
        const present = postgres.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
        if (present > 0) throw new CopyRefusedError(`the PostgreSQL database is not empty (${table} has ${present} rows): copy into a new database`);
      }
      for (const table of tables) postgres.exec(`ALTER TABLE ${table} DISABLE TRIGGER USER`);
      for (const table of tables) copied.push({ table, rows: copyTable(sqlite, postgres, table) });
      for (const table of tables) postgres.exec(`ALTER TABLE ${table} ENABLE TRIGGER USER`);
      continueIdentities(postgres);
    })();
  })();
  return copied;
}

function columnsOf(db: SqliteDatabase | PostgresDatabase, table: string): string[] {
  if (db.dialect === 'sqlite') return db.prepare<[string], string>('SELECT name FROM pragma_table_info(?) ORDER BY cid').pluck().all(table);
  return db
    .prepare<[string], string>('SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ? ORDER BY ordinal_position')
    .pluck()
    .all(table);
}

function copyTable(sqlite: SqliteDatabase, postgres: PostgresDatabase, table: string): number {
  const columns = columnsOf(sqlite, table);
  const target = new Set(columnsOf(postgres, table));
  const differ = [...columns.filter((column) => !target.has(column)), ...[...target].filter((column) => !columns.includes(column))];
  if (differ.length > 0) throw new CopyRefusedError(`${table} differs between the two databases (${differ.join(', ')}): are both at the same version of ClinicPulse?`);
  const rowsPerInsert = Math.max(1, Math.min(MAX_ROWS_PER_INSERT, Math.floor(MAX_PARAMETERS / columns.length)));
  const insertOf = (rows: number) =>
    postgres.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array(rows).fill(`(${columns.map(() => '?').join(', ')})`).join(', ')}`);
  const full = insertOf(rowsPerInsert);
  let batch: unknown[][] = [];
  let copied = 0;
  const flush = () => {
    if (batch.length === 0) return;
    (batch.length === rowsPerInsert ? full : insertOf(batch.length)).run(...batch.flat());
    copied += batch.length;
    batch = [];
  };
  const key = sqlite.prepare<[string], string>('SELECT name FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk').pluck().all(table);
  const rows = sqlite.native.prepare(`SELECT ${columns.join(', ')} FROM ${table} ORDER BY ${key.length > 0 ? key.join(', ') : 'rowid'}`).raw(true);
  for (const row of rows.iterate() as Iterable<unknown[]>) {
    batch.push(row);
    if (batch.length === rowsPerInsert) flush();
  }
  flush();
  return copied;
}

/** Every table to copy, each after the tables its foreign keys point at. */
function tablesParentsFirst(sqlite: SqliteDatabase): string[] {
  const tables = sqlite
    .prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
    .pluck()
    .all()
    .filter((name) => !NOT_COPIED.test(name));
  const parents = new Map(
    tables.map((table) => [
      table,
      sqlite
        .prepare<[string], string>('SELECT DISTINCT "table" FROM pragma_foreign_key_list(?)')
        .pluck()
        .all(table)
        .filter((parent) => parent !== table),
    ]),
  );
  const ordered: string[] = [];
  const visiting = new Set<string>();
  const visit = (table: string) => {
    if (ordered.includes(table)) return;
    if (visiting.has(table)) throw new CopyRefusedError(`the foreign keys of ${table} go round in a circle`);
    visiting.add(table);
    for (const parent of parents.get(table) ?? []) visit(parent);
    visiting.delete(table);
    ordered.push(table);
  };
  for (const table of tables) visit(table);
  return ordered;
}

/** Each identity column's sequence continues after the highest value copied, so new rows get new ids. */
function continueIdentities(postgres: PostgresDatabase): void {
  const identities = postgres
    .prepare<[], { table_name: string; column_name: string }>(
      "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'",
    )
    .all();
  for (const { table_name: table, column_name: column } of identities) {
    postgres
      .prepare(`SELECT setval(pg_get_serial_sequence(?, ?), (SELECT COALESCE(MAX(${column}), 0) + 1 FROM ${table}), false)`)
      .get(table, column);
  }
}
