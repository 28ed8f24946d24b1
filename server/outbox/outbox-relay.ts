import type { ServerContext } from '../context.js';
import { RedisLossWindow } from '../redis-loss-window.js';
import { OutboxStore, type OutboxRow } from './outbox-store.js';

export interface OutboxRelayOptions {
  /** How often the outbox is looked at when nobody asked for a drain. */
  pollIntervalMs?: number;
  /** First retry delay after a failed publish; it doubles per failure up to `maxRetryDelayMs`. */
  minRetryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** Rows read from SQLite at a time. */
  batchSize?: number;
  /**
   * How long published rows are kept, to be published again should Redis come back without
   * them; REDIS_LOSS_WINDOW_SECONDS by default.
   */
  lossWindowMs?: number;
}

const DEFAULTS: Omit<Required<OutboxRelayOptions>, 'lossWindowMs'> = {
  pollIntervalMs: 1_000,
  minRetryDelayMs: 250,
  maxRetryDelayMs: 5_000,
  batchSize: 100,
};

/** The relay of each server context, so routes can ask it to publish right after a commit. */
const relays = new WeakMap<ServerContext, OutboxRelay>();

/** The context's relay: the one the server constructed, or (when none was) a new one. */
export function outboxRelayFor(ctx: ServerContext): OutboxRelay {
  return relays.get(ctx) ?? new OutboxRelay(ctx);
}

/**
 * Publishes outbox rows to Redis in id order (so each user's events keep their order) and
 * deletes each row once its publish returned. While Redis is unreachable the rows stay and the
 * relay retries with a bounded backoff, and at once when the connection is back. One drain at a
 * time per relay; two processes draining one database may publish a row twice, which the row's
 * dedupe key turns into a no-op returning the first id.
 */
export class OutboxRelay {
  private readonly store: OutboxStore;
  private readonly options: Required<OutboxRelayOptions>;
  private readonly lossWindow: RedisLossWindow;
  private running: Promise<number> | null = null;
  private queued: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private failures = 0;
  /** Set at start and whenever the connection is ready again: Redis may have come back without some of what it acknowledged. */
  private recheckSent = true;
  private lastForget = 0;
  /** The last drain found another process draining: look again after the short retry delay, not the poll. */
  private turnTaken = false;
  private readonly onRedisReady = () => {
    this.recheckSent = true;
    this.kick();
  };

  constructor(
    private readonly ctx: ServerContext,
    options: OutboxRelayOptions = {},
  ) {
    this.store = new OutboxStore(ctx.db);
    this.options = { ...DEFAULTS, lossWindowMs: ctx.config.redisLossWindowSeconds * 1000, ...options };
    this.lossWindow = new RedisLossWindow(ctx.redis, this.options.lossWindowMs);
    relays.set(ctx, this);
  }

  /** Publishes what a previous run left behind, then keeps polling until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.lossWindow.watch();
    this.ctx.redis.on('ready', this.onRedisReady);
    this.kick();
  }

  /** Stops the timer and waits for a drain in progress. */
  async stop(): Promise<void> {
    this.started = false;
    this.lossWindow.close();
    this.ctx.redis.off('ready', this.onRedisReady);
    this.clearTimer();
    await Promise.allSettled([this.running, this.queued]);
  }

  /** Asks for a drain now rather than at the next poll; a failure is logged and retried later. */
  kick(): void {
    this.drain().catch(() => undefined);
  }

  /**
   * Publishes every row present when it is called; resolves with how many this call published,
   * rejects when a publish failed (the row stays for the next attempt). A call made while a drain
   * runs waits for it and then drains again, so rows written meanwhile are not left for the timer.
   */
  drain(): Promise<number> {
    if (!this.running) {
      this.running = this.drainOnce().finally(() => {
        this.running = null;
      });
      return this.running;
    }
    this.queued ??= this.running
      .catch(() => 0)
      .then(() => {
        this.queued = null;
        return this.drain();
      });
    return this.queued;
  }

  private async drainOnce(): Promise<number> {
    this.clearTimer();
    try {
      const published = await this.publishPending();
      if (this.failures > 0) this.ctx.logger.info({ published }, 'outbox relay: Redis reachable again, pending events published');
      this.failures = 0;
      return published;
    } catch (error) {
      this.failures += 1;
      if (this.failures === 1) {
        this.ctx.logger.warn({ err: (error as Error).message, pending: this.store.count() }, 'outbox relay: publish failed; events kept for retry');
      }
      throw error;
    } finally {
      this.schedule();
    }
  }

  /**
   * Publishes again what was published within the loss window. The dedupe key of each makes
   * that a no-op for every event Redis still holds; one it lost goes out with a new id (its
   * history and its dedupe key went with it), so a desk that was away meanwhile still gets it,
   * marked as a copy of its first id, so a desk that had it does not get it twice.
   */
  private async publishSentAgain(): Promise<void> {
    const repair = this.lossWindow.beginRepair();
    const rows = this.store.sentAfter(repair.since).filter((row): row is OutboxRow => !('invalid' in row));
    for (let start = 0; start < rows.length; start += this.options.batchSize) {
      await this.ctx.publisher.publishBatch(rows.slice(start, start + this.options.batchSize));
    }
    repair.done();
  }

  private async publishPending(): Promise<number> {
    if (this.recheckSent) {
      await this.publishSentAgain();
      this.recheckSent = false;
    }
    // Another process is draining: it publishes what is there, and this one looks again soon.
    if (!this.store.takeRelayTurn()) {
      this.turnTaken = true;
      return 0;
    }
    try {
      return await this.publishInTurn();
    } finally {
      this.store.endRelayTurn();
    }
  }

  private async publishInTurn(): Promise<number> {
    let published = 0;
    let after = 0;
    for (;;) {
      const rows = this.store.batch(after, this.options.batchSize);
      if (rows.length === 0) {
        this.forgetOldSent();
        return published;
      }
      const valid: OutboxRow[] = [];
      for (const row of rows) {
        after = row.id;
        if ('invalid' in row) {
          // Written by an older or broken version: it can never be published, and must not block the rest.
          this.ctx.logger.error({ outboxId: row.id, problem: row.invalid }, 'outbox relay: dropping a row that is not a valid event');
          this.store.delete(row.id);
          continue;
        }
        valid.push(row);
      }
      if (valid.length === 0) continue;
      // The whole batch in one script, in id order: one round trip and one commit instead of one per row.
      let eventIds: number[];
      try {
        eventIds = await this.ctx.publisher.publishBatch(valid);
      } catch (error) {
        // Stop here: publishing later rows first would put a user's events out of order. The
        // batch is published again next time; dedupe keys make that a no-op for what went out.
        this.store.recordFailure((valid[0] as OutboxRow).id);
        throw error;
      }
      await this.store.markSent(valid.map((row) => row.id), eventIds);
      published += valid.length;
    }
  }

  /** At most once a second: a drain runs after every message sent. */
  private forgetOldSent(): void {
    const now = Date.now();
    if (now - this.lastForget < 1_000) return;
    this.lastForget = now;
    // Not while Redis is away: what it may lose at the end is published again once it is back.
    this.store.forgetSentBefore(this.lossWindow.since());
  }

  private schedule(): void {
    if (!this.started) return;
    this.clearTimer();
    const { pollIntervalMs, minRetryDelayMs, maxRetryDelayMs } = this.options;
    const delay = this.turnTaken
      ? minRetryDelayMs
      : this.failures === 0
        ? pollIntervalMs
        : Math.min(minRetryDelayMs * 2 ** (this.failures - 1), maxRetryDelayMs);
    this.turnTaken = false;
    this.timer = setTimeout(() => this.kick(), delay);
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
