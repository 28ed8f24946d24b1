import type { RedisClient } from './redis-client.js';

/**
 * Since when what this process published may have been lost by Redis, for the code that
 * publishes it again once the connection is ready (the outbox relay, the notice resender, the
 * reminder scheduler), and how long what it published must be kept for that.
 *
 * Redis loses at most its last writes before a crash or a failover: those of the
 * REDIS_LOSS_WINDOW_SECONDS before it went away. Counted back from when the connection is ready
 * again, the window would miss them whenever the outage lasted longer than the window — and a
 * Sentinel or cluster failover takes at least the node timeout (15 s by Redis's default), more on
 * a busy machine. So it is counted back from the first trouble seen since the last repair: a
 * closed connection or, on a cluster, a node's error or departure.
 */
export class RedisLossWindow {
  private troubleSinceMs: number | null = null;
  private troubles = 0;
  private readonly onTrouble = (): void => {
    this.troubles += 1;
    this.troubleSinceMs ??= Date.now();
  };

  constructor(
    private readonly redis: RedisClient,
    private readonly windowMs: number,
  ) {}

  /** Starts watching the connection for trouble. */
  watch(): void {
    this.redis.on('close', this.onTrouble);
    this.redis.on('node error', this.onTrouble);
    this.redis.on('-node', this.onTrouble);
  }

  /** Stops watching the connection. */
  close(): void {
    this.redis.off('close', this.onTrouble);
    this.redis.off('node error', this.onTrouble);
    this.redis.off('-node', this.onTrouble);
  }

  /** Publishes made before this cannot be among what Redis lost, nor need to be kept for it. */
  since(): Date {
    return new Date((this.troubleSinceMs ?? Date.now()) - this.windowMs);
  }

  /**
   * For a repair (a publish-again of everything after `since`): call `done` once it succeeded,
   * and trouble seen before it began counts as repaired, unless more came meanwhile.
   */
  beginRepair(): { since: Date; done(): void } {
    const troubles = this.troubles;
    return {
      since: this.since(),
      done: () => {
        if (this.troubles === troubles) this.troubleSinceMs = null;
      },
    };
  }
}
