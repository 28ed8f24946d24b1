import BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { PostgresDatabase, type PostgresSettings } from './postgres/postgres-database.js';
import { MIGRATIONS, POSTGRES_NOW } from './schema.js';
import type { SqlDatabase } from './sql-database.js';
import { SqliteDatabase } from './sqlite-database.js';

/** The database of a data directory; the server and `npm run user` open the same file. */
export function databaseFile(config: { dataDir: string }): string {
  return join(config.dataDir, 'clinicpulse.db');
}

/** How long a writer waits for another connection's lock before SQLITE_BUSY (several processes may share the file). */
const BUSY_TIMEOUT_MS = 5_000;

/** Whichever the configuration names: PostgreSQL at DATABASE_URL, or else SQLite in DATA_DIR. */
export function openConfiguredDatabase(config: { dataDir: string; databaseUrl: string | null }): SqlDatabase {
  return config.databaseUrl ? openPostgresDatabase(config.databaseUrl) : openDatabase(databaseFile(config));
}

/**
 * Opens (creating when needed) the database file and brings its schema up to date. WAL lets
 * readers go on while one writer commits; foreign keys are off by default in SQLite, so they are
 * switched on for every connection.
 */
export function openDatabase(file: string): SqliteDatabase {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const native = new BetterSqlite3(file);
  const db = new SqliteDatabase(native);
  try {
    native.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    if (file !== ':memory:') native.pragma('journal_mode = WAL');
    native.pragma('synchronous = NORMAL');
    // Each send of a group commit is a savepoint, whose journal holds the first copy of every
    // page the send changes; past 64 KiB SQLite spills it to a temporary file, and those writes
    // were half the store's CPU per message (bench/RESULTS.md, the message path).
    native.pragma('temp_store = MEMORY');
    native.pragma('foreign_keys = ON');
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Connects to the PostgreSQL database at `url` and brings its schema up to date. */
export function openPostgresDatabase(url: string, settings?: PostgresSettings): PostgresDatabase {
  const db = new PostgresDatabase(url, settings);
  try {
    migrate(db);
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Any number: it only has to be the same in every process migrating one database. */
const MIGRATION_LOCK = 0x636c_696e_6963;

/**
 * Applies every migration not yet recorded, each in its own transaction with its record, so a
 * crash leaves the database at a known version. Two processes starting at once take turns
 * instead of both applying the same migration: `BEGIN IMMEDIATE` on SQLite, an advisory lock
 * held for the whole run on PostgreSQL.
 */
export function migrate(db: SqlDatabase): number[] {
  const now = db.dialect === 'postgres' ? POSTGRES_NOW : "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')";
  if (db.dialect === 'postgres') db.prepare('SELECT pg_advisory_lock(CAST(? AS BIGINT))').get(MIGRATION_LOCK);
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version    INTEGER PRIMARY KEY,
      name       TEXT NOT NULL,
      applied_at TEXT NOT NULL DEFAULT (${now})
    )`);
    const isApplied = db.prepare<[number], { version: number }>('SELECT version FROM schema_migrations WHERE version = ?');
    const record = db.prepare<[number, string]>('INSERT INTO schema_migrations (version, name) VALUES (?, ?)');
    const applied: number[] = [];
    for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
      const apply = db.transaction(() => {
        if (isApplied.get(migration.version)) return false;
        db.exec(db.dialect === 'postgres' ? (migration.postgres ?? migration.sql) : migration.sql);
        record.run(migration.version, migration.name);
        return true;
      });
      if (apply.immediate()) applied.push(migration.version);
    }
    return applied;
  } finally {
    if (db.dialect === 'postgres') db.prepare('SELECT pg_advisory_unlock(CAST(? AS BIGINT))').get(MIGRATION_LOCK);
  }
}
