import type { Result } from 'ioredis';
import type { RedisClient } from '../redis-client.js';

/**
 * KEYS: the sorted set; ARGV: now (ms), most to take. Takes the due members out of the set in
 * one atomic step and returns them: whoever gets a member back is the one process to act on it.
 */
const CLAIM_DUE_SCRIPT = `
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, tonumber(ARGV[2]))
if #due > 0 then redis.call('ZREM', KEYS[1], unpack(due)) end
return due
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseClaimDue(key: string, nowMs: number, limit: number): Result<string[], Context>;
  }
}

export interface DueEntry {
  member: string;
  /** When it falls due, in ms since the epoch (the member's score). */
  dueMs: number;
}

/** Members added at once when the set is rebuilt: one command each, of bounded size. */
const SEED_CHUNK = 500;

/**
 * A Redis sorted set of work scored by when it falls due, and the claim that gives each due
 * member to one caller. It only says when to look: SQLite holds the work itself, and what a
 * claim lost with its process comes back when the set is rebuilt from there (`seed`).
 */
export class DueSet {
  constructor(
    private readonly redis: RedisClient,
    readonly key: string,
  ) {
    redis.defineCommand('clinicPulseClaimDue', { numberOfKeys: 1, lua: CLAIM_DUE_SCRIPT });
  }

  async schedule(entry: DueEntry): Promise<void> {
    await this.redis.zadd(this.key, entry.dueMs, entry.member);
  }

  async unschedule(member: string): Promise<void> {
    await this.redis.zrem(this.key, member);
  }

  /** Adds the members not in the set yet, leaving the others' scores as they are. */
  async seed(entries: readonly DueEntry[]): Promise<void> {
    for (let start = 0; start < entries.length; start += SEED_CHUNK) {
      const args = entries.slice(start, start + SEED_CHUNK).flatMap((entry) => [entry.dueMs, entry.member]);
      await this.redis.zadd(this.key, 'NX', ...args);
    }
  }

  /** Removes and returns up to `limit` members due at `nowMs`; no other caller gets them. */
  claimDue(nowMs: number, limit: number): Promise<string[]> {
    return this.redis.clinicPulseClaimDue(this.key, nowMs, limit);
  }
}
