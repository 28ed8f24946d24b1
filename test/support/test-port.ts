import { freePort as freePortIn } from '../../scripts/free-port.js';

/** More than the workers vitest.config.ts runs at once; share 0 is the main process's (global set-up). */
const SHARES = 8;

/**
 * A free loopback port for a test's server, from this test worker's own share of the range
 * (VITEST_POOL_ID), so that two files running at once never pick the same one.
 */
export function freePort(): Promise<number> {
  const pool = Number(process.env.VITEST_POOL_ID ?? 0);
  return freePortIn({ index: Number.isInteger(pool) ? pool : 0, of: SHARES });
}
