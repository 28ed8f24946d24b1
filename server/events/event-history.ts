import type { Redis, Result } from 'ioredis';
import { userEventsKey, userSequenceKey } from './keys.js';
import { SNAPSHOT_SCRIPT } from './lua.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseSnapshot(
      seqKey: string,
      listKey: string,
      since: string,
    ): Result<[string, string, string, number, string, string?], Context>;
  }
}

export interface HistorySnapshot {
  /** Newest id handed out to this user. */
  newestId: number;
  /**
   * `complete`: the replay holds exactly the events after the client's id.
   * `gap`: some events after the client's id are gone (trimmed, expired or lost with Redis data);
   * the replay holds what is still there after it.
   * `unknown_id`: the client's id is not in this history: above anything handed out, or handed
   * out before Redis lost its last writes (the counter went back, and new ids went past it).
   * The replay holds the events after `continueFrom`, the newest id the client and the history
   * share.
   */
  status: 'complete' | 'gap' | 'unknown_id';
  replay: Replay;
  /** Where the stream goes on from: the client's id, except for `unknown_id`. */
  continueFrom: number | null;
}

/** Consecutive events as ready-made SSE frames, oldest first. */
export interface Replay {
  frames: string;
  count: number;
  /** Id of the last event in `frames`; null when there is none. */
  lastId: number | null;
}

/** Reads, in one atomic step, what a stream that has seen `since` (or nothing) is missing. */
export class EventHistory {
  constructor(private readonly redis: Redis) {
    redis.defineCommand('clinicPulseSnapshot', { numberOfKeys: 2, lua: SNAPSHOT_SCRIPT });
  }

  async snapshot(userId: number, since: number | null): Promise<HistorySnapshot> {
    const [newest, status, lastId, count, frames, divergedAt] = await this.redis.clinicPulseSnapshot(
      userSequenceKey(userId),
      userEventsKey(userId),
      since === null ? '' : String(since),
    );
    return {
      newestId: Number(newest),
      status: status === 'ok' ? 'complete' : status === 'gap' ? 'gap' : 'unknown_id',
      replay: { frames, count, lastId: lastId === '' ? null : Number(lastId) },
      continueFrom: status === 'diverged' ? Number(divergedAt) : since,
    };
  }

  async newestId(userId: number): Promise<number | null> {
    const value = await this.redis.get(userSequenceKey(userId));
    return value === null ? null : Number(value);
  }
}
