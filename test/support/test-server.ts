/**
 * Test servers, for every engineer's tests. Keep these signatures stable.
 *
 *   const redis = await startTestRedis();
 *   const server = await startTestServer({ redisUrl: redis.url });       // in-process, demo data
 *   const { token, cookie, user } = await login(server.url, 'dr.smith', 'clinicpulse');
 *   const client = api(server.url, token);
 *   const { status, body } = await client.get('/api/me');                 // also post/patch/delete
 *   await server.close();                                                 // graceful; removes a temp dataDir
 *
 *   const child = await spawnServerProcess({ redisUrl: redis.url, dataDir });  // `tsx server/main.ts`
 *
 *   const cluster = await startTestRedisCluster();                        // test/support/redis-cluster.ts
 *   const server = await startTestServer({ redisUrl: cluster.url, redisClusterNodes: cluster.nodes });
 *   await child.stop();    // SIGTERM, resolves with the exit code
 *   child.kill();          // SIGKILL, for crash tests
 *
 *   const app1 = await spawnServerProcess({ redisUrl, databaseUrl, host: network.host('app1') });
 *   // on a test network's host (test/support/network-hosts.ts), listening on its address
 *
 * With `database: 'postgres'` the server uses a database in the test run's PostgreSQL
 * (test/support/postgres-global-setup.ts) instead of SQLite: one per dataDir, so a server
 * brought back on the same dataDir finds its data, as with SQLite. TEST_DATABASE=postgres makes
 * that the default (the `node-postgres` project of vitest.config.ts runs the store-heavy files
 * so). `postgresDatabase()` makes a database to pass as `databaseUrl`.
 *
 * Defaults: HOST 127.0.0.1, port 0 (in-process) or a free port (child), LOG_LEVEL silent
 * (set TEST_LOG_LEVEL=debug to see logs), HEARTBEAT_SECONDS 1, demo data on (the accounts of
 * DEMO_USERS, password DEMO_PASSWORD). Without `dataDir` a temporary one is made and removed.
 * `env` overrides any setting of server/config.ts, e.g. `{ EVENT_HISTORY_LENGTH: '5' }`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inject } from 'vitest';
import { PostgresDatabase } from '../../server/db/postgres/postgres-database.js';
import type { LoginResponse, User } from '../../common/api.js';
import { loadConfig } from '../../server/config.js';
import type { ServerContext } from '../../server/context.js';
import { startServer } from '../../server/server.js';
import { freePort } from './redis-server.js';
import { LOOPBACK_HOST, type TestHost } from './test-host.js';

export { DEMO_PASSWORD, DEMO_USERS } from '../../server/demo-data.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface TestServerOptions {
  redisUrl: string;
  /** REDIS_CLUSTER_NODES: a Redis Cluster instead of the one Redis at `redisUrl`. */
  redisClusterNodes?: string;
  /** Where the SQLite database lives; a fresh temporary directory when omitted. */
  dataDir?: string;
  /** Settings (environment variable names of server/config.ts) overriding the test defaults. */
  env?: Partial<Record<string, string>>;
  /** Create the demo accounts on an empty database; default true. */
  demoData?: boolean;
  /** `sqlite` in dataDir, or dataDir's database in the test run's PostgreSQL; TEST_DATABASE or sqlite by default. */
  database?: DatabaseEngine;
  /** A PostgreSQL database to use (from postgresDatabase()), e.g. one shared by two servers. */
  databaseUrl?: string;
}

export type DatabaseEngine = 'sqlite' | 'postgres';

/** Why PostgreSQL tests cannot run here, or null. */
export function postgresUnavailable(): string | null {
  return inject('postgresUnavailable');
}

/** The engine of servers whose options name none: TEST_DATABASE, or SQLite. */
export function defaultEngine(): DatabaseEngine {
  return process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
}

let databases = 0;

/** A new, empty database in the test run's PostgreSQL; its URL. */
export function postgresDatabase(): string {
  const adminUrl = inject('postgresAdminUrl');
  if (!adminUrl) throw new Error(`no PostgreSQL for this test run: ${postgresUnavailable()}`);
  databases += 1;
  const name = `clinicpulse_${process.pid}_${databases}_${Date.now()}`;
  const admin = new PostgresDatabase(adminUrl);
  try {
    admin.exec(`CREATE DATABASE ${name}`);
  } finally {
    admin.close();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.href;
}

const databaseOfDataDir = new Map<string, string>();

/** The PostgreSQL database standing for a data directory (or its SQLite file): the same each time. */
export function postgresDatabaseFor(dataDirOrFile: string): string {
  const dataDir = basename(dataDirOrFile) === 'clinicpulse.db' ? dirname(dataDirOrFile) : dataDirOrFile;
  let url = databaseOfDataDir.get(dataDir);
  if (!url) databaseOfDataDir.set(dataDir, (url = postgresDatabase()));
  return url;
}

/** DATABASE_URL for a process of the default engine (a `npm run user` beside a test server), or nothing for SQLite. */
export function databaseEnvironment(dataDir: string): Record<string, string> {
  return databaseSettings({ redisUrl: '' }, dataDir);
}

function databaseSettings(options: TestServerOptions, dataDir: string): Record<string, string> {
  if (options.databaseUrl) return { DATABASE_URL: options.databaseUrl };
  if ((options.database ?? defaultEngine()) === 'postgres') return { DATABASE_URL: postgresDatabaseFor(dataDir) };
  return {};
}

export interface TestServer {
  url: string;
  context: ServerContext;
  close(): Promise<void>;
}

export interface ServerProcess {
  url: string;
  port: number;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr), for failure messages. */
  output(): string;
  /** SIGTERM and wait for the exit; resolves with the exit code (null when killed by a signal). */
  stop(): Promise<number | null>;
  /** SIGKILL and wait for the exit: a crash. */
  kill(): Promise<void>;
}

function testEnvironment(
  options: TestServerOptions,
  dataDir: string,
  port: number,
): Record<string, string> {
  const settings: Record<string, string | undefined> = {
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: String(port),
    REDIS_URL: options.redisUrl,
    REDIS_CLUSTER_NODES: options.redisClusterNodes,
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    HEARTBEAT_SECONDS: '1',
    TEST_ENDPOINTS: 'true',
    DEMO_DATA: options.demoData === false ? 'false' : 'true',
    ...options.env,
  };
  return Object.fromEntries(
    Object.entries(settings).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

function temporaryDataDir(): string {
  return mkdtempSync(join(tmpdir(), 'clinicpulse-data-'));
}

/** The whole server in this process, listening on a free port. */
export async function startTestServer(options: TestServerOptions): Promise<TestServer> {
  const dataDir = options.dataDir ?? temporaryDataDir();
  const database = databaseSettings(options, dataDir);
  const config = loadConfig(testEnvironment({ ...options, env: { ...database, ...options.env } }, dataDir, 0));
  const server = await startServer(config, { demoData: config.demoData });
  return {
    url: server.url,
    context: server.context,
    async close() {
      await server.close();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * `server/main.ts` as a child process (what `npm run server` runs), resolved once /healthz
 * answers. Pass `port` to bring a server back on the same address after stop().
 */
export async function spawnServerProcess(
  options: TestServerOptions & { port?: number; host?: TestHost },
): Promise<ServerProcess> {
  const host = options.host ?? LOOPBACK_HOST;
  const dataDir = options.dataDir ?? temporaryDataDir();
  const port = options.port ?? (await freePort());
  const database = databaseSettings(options, dataDir);
  const env = testEnvironment(
    { ...options, env: { LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'warn', HOST: host.address, ...database, ...options.env } },
    dataDir,
    port,
  );
  // node --import tsx rather than the tsx CLI, so signals reach the server itself.
  const child = spawn(...host.command([process.execPath, '--import', 'tsx', join(ROOT, 'server', 'main.ts')]), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => resolve(code)),
  );
  const url = `http://${host.address}:${port}`;

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `server process exited (${child.exitCode ?? child.signalCode}) before answering:\n${output}`,
      );
    }
    try {
      const response = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`server process did not answer /healthz within 30 s:\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }

  return {
    url,
    port,
    dataDir,
    child,
    output: () => output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Signs in; `cookie` is the `session=…` pair to send back in a Cookie header. */
export async function login(
  url: string,
  username: string,
  password: string,
): Promise<{ token: string; cookie: string; user: User }> {
  const response = await fetch(`${url}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200)
    throw new Error(`login as ${username} failed: ${response.status} ${await response.text()}`);
  const body = (await response.json()) as LoginResponse;
  const cookie =
    (response.headers.getSetCookie().find((line) => line.startsWith('session=')) ?? '').split(
      ';',
    )[0] ?? '';
  return { token: body.token, cookie, user: body.user };
}

export interface ApiResponse<T = unknown> {
  status: number;
  /** Parsed JSON, or the text when the answer is not JSON, or null when empty. */
  body: T;
  headers: Headers;
}

/** Tests read whichever fields they check; pass a type argument for a typed body. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type AnyBody = any;

/** A fetch helper bound to a server and (optionally) a bearer token. */
export function api(url: string, token?: string) {
  const request = async <T = AnyBody>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<ApiResponse<T>> => {
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: unknown = text.length === 0 ? null : text;
    if ((response.headers.get('content-type') ?? '').includes('json') && text.length > 0)
      parsed = JSON.parse(text);
    return { status: response.status, body: parsed as T, headers: response.headers };
  };
  return {
    request,
    get: <T = AnyBody>(path: string, headers?: Record<string, string>) =>
      request<T>('GET', path, undefined, headers),
    post: <T = AnyBody>(path: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>('POST', path, body ?? {}, headers),
    patch: <T = AnyBody>(path: string, body?: unknown, headers?: Record<string, string>) =>
      request<T>('PATCH', path, body ?? {}, headers),
    delete: <T = AnyBody>(path: string, headers?: Record<string, string>) =>
      request<T>('DELETE', path, undefined, headers),
  };
}
