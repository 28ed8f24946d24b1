import type { Redis, Result } from 'ioredis';
import { userEventsKey, userSequenceKey } from './keys.js';
import { SNAPSHOT_SCRIPT } from './lua.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseSnapshot(seqKey: string, listKey: string, since: string): Result<string[], Context>;
  }
}

export interface HistorySnapshot {
  /** Newest id handed out to this user. */
  newestId: number;
  /**
   * `complete`: `events` are exactly those after the client's id.
   * `gap`: some events after the client's id are gone (trimmed, expired or lost with Redis data);
   * `events` are what is still held after it.
   * `unknown_id`: the client's id is above anything handed out; `events` is empty.
   */
  status: 'complete' | 'gap' | 'unknown_id';
  /** Stored event JSON, oldest first. */
  events: string[];
}

/** Reads, in one atomic step, what a stream that has seen `since` (or nothing) is missing. */
export class EventHistory {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('clinicPulseSnapshot', { numberOfKeys: 2, lua: SNAPSHOT_SCRIPT });
  }

  async snapshot(userId: number, since: number | null): Promise<HistorySnapshot> {
    const [newest, status, ...events] = await this.redis.clinicPulseSnapshot(
      userSequenceKey(userId),
      userEventsKey(userId),
      since === null ? '' : String(since),
    );
    return {
      newestId: Number(newest),
      status: status === 'ok' ? 'complete' : status === 'gap' ? 'gap' : 'unknown_id',
      events,
    };
  }

  async newestId(userId: number): Promise<number | null> {
    const value = await this.redis.get(userSequenceKey(userId));
    return value === null ? null : Number(value);
  }
}
