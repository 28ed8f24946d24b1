import type { Result } from 'ioredis';
import type { RedisClient } from '../redis-client.js';
import { SINGLE_REDIS_KEYS, type KeySpace } from './keys.js';
import { eventScripts } from './lua.js';
import { replayAfterTimestamp } from './since-timestamp.js';

declare module 'ioredis' {
  interface RedisCommander<Context> {
    clinicPulseSnapshot(
      seqKey: string,
      listKey: string,
      since: string,
      userKey: string,
      historyLength: number,
      ttlSeconds: number,
    ): Result<[string, string, string, number, string, string?], Context>;
    clinicPulseSnapshotEntries(
      seqKey: string,
      listKey: string,
      userKey: string,
      historyLength: number,
      ttlSeconds: number,
    ): Result<string[], Context>;
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

/** What the scripts need to adopt the original system's bare events before reading. */
export interface EventHistoryOptions {
  historyLength: number;
  historyTtlSeconds: number;
  /** How keys are named: one Redis (the default) or a cluster. */
  keys?: KeySpace;
}

/** Reads, in one atomic step, what a stream that has seen `since` (or nothing) is missing. */
export class EventHistory {
  private readonly keys: KeySpace;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: EventHistoryOptions,
  ) {
    this.keys = options.keys ?? SINGLE_REDIS_KEYS;
    const scripts = eventScripts(this.keys);
    redis.defineCommand('clinicPulseSnapshot', { numberOfKeys: 2, lua: scripts.snapshot });
    redis.defineCommand('clinicPulseSnapshotEntries', { numberOfKeys: 2, lua: scripts.snapshotEntries });
  }

  async snapshot(userId: number, since: number | null): Promise<HistorySnapshot> {
    const [newest, status, lastId, count, frames, divergedAt] = await this.redis.clinicPulseSnapshot(
      this.keys.userSequenceKey(userId),
      this.keys.userEventsKey(userId),
      since === null ? '' : String(since),
      this.keys.userKey(userId),
      this.options.historyLength,
      this.options.historyTtlSeconds,
    );
    return {
      newestId: Number(newest),
      status: status === 'ok' ? 'complete' : status === 'gap' ? 'gap' : 'unknown_id',
      replay: { frames, count, lastId: lastId === '' ? null : Number(lastId) },
      continueFrom: status === 'diverged' ? Number(divergedAt) : since,
    };
  }

  /**
   * For a client that resumes by the timestamp of the last event it received (the original
   * system's `?since=`): what comes after that event (see since-timestamp.ts). It has no id to
   * compare, so it is never told to resync.
   */
  async snapshotSinceTimestamp(userId: number, since: string): Promise<HistorySnapshot> {
    const [newest, ...entries] = await this.redis.clinicPulseSnapshotEntries(
      this.keys.userSequenceKey(userId),
      this.keys.userEventsKey(userId),
      this.keys.userKey(userId),
      this.options.historyLength,
      this.options.historyTtlSeconds,
    );
    return { newestId: Number(newest), status: 'complete', replay: replayAfterTimestamp(entries, since), continueFrom: null };
  }

  async newestId(userId: number): Promise<number | null> {
    const value = await this.redis.get(this.keys.userSequenceKey(userId));
    return value === null ? null : Number(value);
  }
}
