import type { Redis, Result } from 'ioredis';
import { userKey } from './keys.js';
import { ADOPT_PUBLISHED_SCRIPT } from './lua.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseAdoptPublished(
      userKey: string,
      message: string,
      historyLength: number,
      ttlSeconds: number,
    ): Result<string, Context>;
  }
}

export interface BareEventAdoptionOptions {
  historyLength: number;
  historyTtlSeconds: number;
}

/**
 * Events the original system's backend publishes: bare JSON without an id on `user:<id>`. The
 * hub hands each one here; the script gives it an id, stores it and publishes it again, this time
 * as an event every server's streams deliver (once, whichever server or command saw it first:
 * see ADOPT_EVENTS in lua.ts).
 */
export class BareEventAdoption {
  constructor(
    private readonly redis: Redis,
    private readonly options: BareEventAdoptionOptions,
  ) {
    redis.defineCommand('clinicPulseAdoptPublished', { numberOfKeys: 0, lua: ADOPT_PUBLISHED_SCRIPT });
  }

  /** The adopted event's id; null when it was adopted before, or is no event at all. */
  async adopt(userId: number | string, message: string): Promise<number | null> {
    const id = await this.redis.clinicPulseAdoptPublished(
      userKey(userId),
      message,
      this.options.historyLength,
      this.options.historyTtlSeconds,
    );
    return id === '' ? null : Number(id);
  }
}
