/**
 * A real PostgreSQL server for the tests, from the Debian package's binaries: `initdb` into a
 * temporary directory and `pg_ctl` on a free loopback port, its socket in that directory. The
 * system's own cluster and service are never touched. As root, initdb refuses to run, so the
 * server runs as the `postgres` user the package creates, owning the directory.
 *
 *   const postgres = await startTestPostgres();
 *   const url = await postgres.createDatabase();   // a fresh, empty database
 *   await postgres.restart();                       // pg_ctl restart, same port and data
 *   await postgres.stop();                          // and the directory is removed
 *
 * On a test network's host: `startTestPostgres({ host: network.host('data'), allowFrom: network.cidr })`
 * listens on that host's address and lets every host of the network in.
 */
import { execFile } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './test-port.js';
import { LOOPBACK_HOST, type TestHost } from './test-host.js';

const run = promisify(execFile);

export interface TestPostgres {
  port: number;
  /** The server's own `postgres` database: for creating and dropping others. */
  adminUrl: string;
  createDatabase(): Promise<string>;
  restart(): Promise<void>;
  /** `pg_ctl stop -m immediate` without removing anything; `start()` brings it back. */
  halt(): Promise<void>;
  start(): Promise<void>;
  /** The postmaster's process id (its backends are its children): the benchmark counts their CPU. */
  pid(): number;
  stop(): Promise<void>;
}

/** initdb and pg_ctl: POSTGRES_BIN_DIR, or the newest /usr/lib/postgresql/<version>/bin; null when neither exists. */
export function postgresBinDir(): string | null {
  const given = process.env.POSTGRES_BIN_DIR;
  if (given) return existsSync(join(given, 'initdb')) ? given : null;
  const base = '/usr/lib/postgresql';
  if (!existsSync(base)) return null;
  const versions = readdirSync(base)
    .filter((version) => existsSync(join(base, version, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(base, versions[0], 'bin') : null;
}

/** Why PostgreSQL tests cannot run here, or null when they can. */
export function postgresUnavailableReason(): string | null {
  if (postgresBinDir() === null) return 'PostgreSQL is not installed (Debian: apt-get install postgresql; or set POSTGRES_BIN_DIR)';
  return null;
}

let databases = 0;

/** A new, empty database on the server of `adminUrl`; its URL. */
export async function createDatabase(adminUrl: string): Promise<string> {
  databases += 1;
  const name = `clinicpulse_${process.pid}_${databases}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

export interface TestPostgresOptions {
  /** Where it runs and listens; this machine's loopback by default. */
  host?: TestHost;
  /** A network (CIDR) whose clients may connect too, without a password as on loopback. */
  allowFrom?: string;
}

export async function startTestPostgres(placement: TestPostgresOptions = {}): Promise<TestPostgres> {
  const host = placement.host ?? LOOPBACK_HOST;
  const bin = postgresBinDir();
  if (!bin) throw new Error(postgresUnavailableReason() ?? 'no PostgreSQL');
  const asRoot = process.getuid?.() === 0;
  const dir = mkdtempSync(join(tmpdir(), 'clinicpulse-postgres-'));
  const data = join(dir, 'data');
  if (asRoot) {
    const { stdout } = await run('id', ['-u', 'postgres']);
    const { stdout: group } = await run('id', ['-g', 'postgres']);
    chownSync(dir, Number(stdout.trim()), Number(group.trim()));
  }
  const tool = (name: string, args: string[]) =>
    run(...host.command(asRoot ? ['runuser', '-u', 'postgres', '--', join(bin, name), ...args] : [join(bin, name), ...args]));

  await tool('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync', '--no-instructions']);
  if (placement.allowFrom) appendFileSync(join(data, 'pg_hba.conf'), `host all all ${placement.allowFrom} trust\n`);
  const port = await freePort();
  // No fsync: only the machine crashing would lose a commit, and a test run should not wait for
  // the disk. Commits stay synchronous, so a server killed by a test (halt) keeps all of them.
  const options = [
    `-p ${port}`,
    `-k ${dir}`,
    `-c listen_addresses='${host.address}'`,
    '-c fsync=off',
    '-c full_page_writes=off',
    '-c max_connections=300',
  ].join(' ');
  const start = async () => {
    await tool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', 'start']);
  };
  await start();
  const adminUrl = `postgres://postgres@${host.address}:${port}/postgres`;
  return {
    port,
    adminUrl,
    createDatabase: () => createDatabase(adminUrl),
    async restart() {
      await tool('pg_ctl', ['-D', data, '-o', options, '-l', join(dir, 'server.log'), '-w', '-t', '30', '-m', 'fast', 'restart']);
    },
    async halt() {
      await tool('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
    },
    start,
    pid: () => Number(readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    async stop() {
      await tool('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']).catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
