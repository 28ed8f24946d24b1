import type { Result } from 'ioredis';
import type { RedisClient } from '../redis-client.js';
import { SINGLE_REDIS_KEYS, type KeySpace } from './keys.js';
import { ADVANCE_READ_SCRIPT } from './lua.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseAdvanceRead(key: string, id: string): Result<[string, number], Context>;
  }
}

/** How far a user has marked notifications read, shared by all of their desks. */
export class ReadMarker {
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: KeySpace = SINGLE_REDIS_KEYS,
  ) {
    redis.defineCommand('clinicPulseAdvanceRead', { numberOfKeys: 1, lua: ADVANCE_READ_SCRIPT });
  }

  async get(userId: number): Promise<number> {
    return Number((await this.redis.get(this.keys.userReadKey(userId))) ?? 0);
  }

  /** Moves the marker forward only; `advanced` is false when it was already at or past `id`. */
  async advance(userId: number, id: number): Promise<{ marker: number; advanced: boolean }> {
    const [marker, moved] = await this.redis.clinicPulseAdvanceRead(this.keys.userReadKey(userId), String(id));
    return { marker: Number(marker), advanced: moved === 1 };
  }
}
