import type { IncrementResponse, Options, Store } from 'express-rate-limit';
import type { Result } from 'ioredis';
import type { RedisClient } from '../redis-client.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseRateLimitIncrement(keyCount: number, ...keysThenWindowMs: (number | string)[]): Result<number[], Context>;
  }
}

/**
 * Counts every key of a batch as rate-limit-redis's increment script counts one: the first hit
 * of a window sets the count to 1 with the window as its expiry, later hits add one and leave the
 * expiry alone. A key twice in one batch is counted twice, in order. Replies hits and the
 * milliseconds left, two numbers per key.
 */
const INCREMENT_SCRIPT = `
local windowMs = tonumber(ARGV[1])
local replies = {}
for index, key in ipairs(KEYS) do
  local left = redis.call('PTTL', key)
  if left <= 0 then
    redis.call('SET', key, 1, 'PX', windowMs)
    replies[2 * index - 1] = 1
    replies[2 * index] = windowMs
  else
    replies[2 * index - 1] = redis.call('INCR', key)
    replies[2 * index] = left
  end
end
return replies
`;

/** Connections the script is defined on: every limiter of a server shares one. */
const withScript = new WeakSet<RedisClient>();

/** A flood of requests in one turn still keeps Redis busy for no more than a millisecond or so per script. */
const MAX_KEYS_PER_SCRIPT = 500;

/**
 * How long the first increment waits for others to join its script. A round trip to Redis —
 * the command's write, the reply's read, two wake-ups — cost the server about as much CPU as
 * the rest of a rate-limited request: with increments gathered only per turn of the event loop,
 * at 1,000 messages a second nearly every send went alone, 0.14 ms of CPU each; gathered for
 * 2 ms, half as many scripts and 0.07 ms less server + Redis CPU per message, for 1 ms more
 * at the median (bench/RESULTS.md, the message path).
 */
const GATHER_MS = 2;

interface WaitingIncrement {
  key: string;
  resolve(response: IncrementResponse): void;
  reject(error: unknown): void;
}

/**
 * express-rate-limit's store for counts kept in Redis, shared by every server process. The
 * increments asked for within GATHER_MS go to Redis together, as one script: a round trip per
 * request (rate-limit-redis) cost the server a socket write, a reply parse and a promise chain
 * each — about 10 % of its CPU on the message path (bench/RESULTS.md). The prefix must hold a
 * Redis Cluster hash tag (`{…}`): a batch's keys then share one slot, and on a cluster ioredis
 * sends the script to the primary holding it (loading it there on NOSCRIPT, as after a failover).
 */
export class RedisRateLimitCounter implements Store {
  readonly localKeys = false;
  private windowMs = 60_000;
  private waiting: WaitingIncrement[] = [];

  constructor(
    private readonly redis: RedisClient,
    readonly prefix: string,
    private readonly gatherMs = GATHER_MS,
  ) {
    if (!/\{[^}]+\}/.test(prefix)) throw new Error(`rate limit prefix "${prefix}" has no hash tag`);
    if (!withScript.has(redis)) redis.defineCommand('clinicPulseRateLimitIncrement', { lua: INCREMENT_SCRIPT });
    withScript.add(redis);
  }

  init(options: Options): void {
    this.windowMs = options.windowMs;
  }

  increment(key: string): Promise<IncrementResponse> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ key: this.prefix + key, resolve, reject });
      if (this.waiting.length === 1) setTimeout(() => this.flush(), this.gatherMs);
    });
  }

  async decrement(key: string): Promise<void> {
    await this.redis.decr(this.prefix + key);
  }

  async resetKey(key: string): Promise<void> {
    await this.redis.del(this.prefix + key);
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (let start = 0; start < waiting.length; start += MAX_KEYS_PER_SCRIPT) this.send(waiting.slice(start, start + MAX_KEYS_PER_SCRIPT));
  }

  private send(batch: WaitingIncrement[]): void {
    const keys = batch.map(({ key }) => key);
    this.redis.clinicPulseRateLimitIncrement(keys.length, ...keys, this.windowMs).then(
      (replies) => {
        const now = Date.now();
        batch.forEach(({ resolve }, index) => {
          resolve({ totalHits: Number(replies[2 * index]), resetTime: new Date(now + Number(replies[2 * index + 1])) });
        });
      },
      (error: unknown) => {
        for (const { reject } of batch) reject(error);
      },
    );
  }
}
