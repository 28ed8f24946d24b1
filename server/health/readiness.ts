import type { ServerContext } from '../context.js';

const READINESS_TIMEOUT_MS = 1_000;

export interface Readiness {
  ready: boolean;
  /** `ok`, or what went wrong, per dependency. */
  checks: { redis: string; database: string };
}

/** Whether Redis answers PING and SQLite a query, each within a second: `/readyz` and the admin's health page. */
export async function readiness(ctx: ServerContext): Promise<Readiness> {
  const [redis, database] = await Promise.all([
    check(async () => {
      const reply = await withTimeout(ctx.redis.ping(), READINESS_TIMEOUT_MS);
      if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
    }),
    check(async () => {
      ctx.db.prepare('SELECT 1 FROM schema_migrations LIMIT 1').get();
    }),
  ]);
  return { ready: redis === 'ok' && database === 'ok', checks: { redis, database } };
}

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await probe();
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'failed';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
