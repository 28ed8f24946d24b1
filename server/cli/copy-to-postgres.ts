/**
 * `npm run copy-to-postgres`: moves a SQLite installation's data into an empty PostgreSQL
 * database, every id kept (server/db/copy-to-postgres.ts). Run with every server process
 * stopped. Exit code 0 on success, 1 on any error (nothing written), 2 on a usage mistake.
 */
import { config as loadDotenv } from 'dotenv';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.js';
import { CopyRefusedError, copySqliteToPostgres } from '../db/copy-to-postgres.js';
import { databaseFile, openDatabase, openPostgresDatabase } from '../db/database.js';

const USAGE = `Usage: npm run copy-to-postgres -- [--from FILE] [--to postgres://…]

Copies every row of the SQLite database (DATA_DIR/clinicpulse.db, or --from FILE) into an
empty PostgreSQL database (DATABASE_URL, or --to URL), keeping every id, in one transaction.
Both are brought to this version's schema first. Stop every server process before, then set
DATABASE_URL for all of them and start them again. The SQLite file is left as it was.`;

class UsageError extends Error {}

function main(argv: string[]): string {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return USAGE;
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
  loadDotenv({ quiet: true });
  const config = loadConfig(values.to ? { ...process.env, DATABASE_URL: values.to } : process.env);
  if (!config.databaseUrl) throw new UsageError('no PostgreSQL database: set DATABASE_URL or pass --to postgres://…');
  const from = values.from ?? databaseFile(config);
  if (!existsSync(from)) throw new Error(`no SQLite database at ${from}`);

  const sqlite = openDatabase(from);
  try {
    const postgres = openPostgresDatabase(config.databaseUrl);
    try {
      const started = Date.now();
      const copied = copySqliteToPostgres(sqlite, postgres);
      const rows = copied.reduce((sum, table) => sum + table.rows, 0);
      const lines = copied.map(({ table, rows: count }) => `  ${table.padEnd(28)} ${count}`);
      return [`copied ${rows} rows of ${copied.length} tables from ${from} in ${Date.now() - started} ms:`, ...lines].join('\n');
    } finally {
      postgres.close();
    }
  } finally {
    sqlite.close();
  }
}

try {
  console.log(main(process.argv.slice(2)));
} catch (error) {
  if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    console.error(`error: ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    const why = error instanceof CopyRefusedError ? 'refused' : 'failed';
    console.error(`error: copy ${why}, nothing was written: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  }
}
