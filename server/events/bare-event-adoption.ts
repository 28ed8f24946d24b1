import type { Result } from 'ioredis';
import type { RedisClient } from '../redis-client.js';
import { SINGLE_REDIS_KEYS, type KeySpace } from './keys.js';
import { eventScripts } from './lua.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    /** First how many routing keys follow (none on one Redis, the user key on a cluster), then those, then ARGV. */
    clinicPulseAdoptPublished(...keyCountKeysArgs: (string | number)[]): Result<string, Context>;
  }
}

export interface BareEventAdoptionOptions {
  historyLength: number;
  historyTtlSeconds: number;
  /** How keys are named: one Redis (the default) or a cluster. */
  keys?: KeySpace;
}

/**
 * Events the original system's backend publishes: bare JSON without an id on `user:<id>`. The
 * hub hands each one here; the script gives it an id, stores it and publishes it again, this time
 * as an event every server's streams deliver (once, whichever server or command saw it first:
 * see adoptEvents in lua.ts).
 */
export class BareEventAdoption {
  private readonly keys: KeySpace;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: BareEventAdoptionOptions,
  ) {
    this.keys = options.keys ?? SINGLE_REDIS_KEYS;
    redis.defineCommand('clinicPulseAdoptPublished', { lua: eventScripts(this.keys).adoptPublished });
  }

  /** The adopted event's id; null when it was adopted before, or is no event at all. */
  async adopt(userId: number | string, message: string): Promise<number | null> {
    const userKey = this.keys.userKey(userId);
    const id = await this.redis.clinicPulseAdoptPublished(
      ...(this.keys.mode === 'cluster' ? [1, userKey] : [0]),
      userKey,
      message,
      this.options.historyLength,
      this.options.historyTtlSeconds,
    );
    return id === '' ? null : Number(id);
  }
}
