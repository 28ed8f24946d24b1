import type { ServerContext } from '../context.js';
import type { DueEntry, DueSet } from './due-set.js';

export interface DueWorkSchedulerOptions {
  /** How often due work is looked for. */
  intervalMs?: number;
  /** How often the Redis set is rebuilt from SQLite even when nothing seemed lost. */
  reseedIntervalMs?: number;
  /** Members claimed per round trip. */
  batchSize?: number;
}

/** What one kind of timed work (reminders, escalations) plugs into the scheduler. */
export interface DueWork {
  /** For the log: "reminder scheduler". */
  name: string;
  set: DueSet;
  /** Everything SQLite says is still to be done, for rebuilding the set. */
  pending(): DueEntry[];
  /** Acts on one claimed member; resolves true when it did something (false: stale or already done). */
  carryOut(member: string): Promise<boolean>;
  /**
   * Runs at the start of each tick, before any claim; `redisCameBack` is true at start and on
   * the first tick after the Redis connection was ready again.
   */
  beforeClaims?(redisCameBack: boolean): Promise<void> | void;
}

/**
 * Timed work done once, however many server processes run it: each tick claims the due members
 * of a Redis sorted set atomically and only the claimer acts. SQLite stays the truth: the set is
 * rebuilt from it at start, when the Redis connection is ready again (Redis may have come back
 * without its data), after a failed member and every `reseedIntervalMs`, so neither a Redis
 * restart nor a process that died after its claim loses work. The work itself makes acting on a
 * member twice harmless (a dedupe key, a compare-and-set).
 */
export class DueWorkScheduler {
  private readonly options: Required<DueWorkSchedulerOptions>;
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private seedNeeded = true;
  private redisCameBack = true;
  private lastSeedAt = 0;
  private failing = false;
  private readonly onRedisReady = () => {
    this.seedNeeded = true;
    this.redisCameBack = true;
    this.tick().catch(() => undefined);
  };

  constructor(
    private readonly ctx: ServerContext,
    private readonly work: DueWork,
    options: DueWorkSchedulerOptions,
    defaults: Required<DueWorkSchedulerOptions>,
  ) {
    this.options = { ...defaults, ...options };
  }

  /** Does what fell due while the server was down, then keeps ticking until stop(). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.ctx.redis.on('ready', this.onRedisReady);
    this.tick().catch(() => undefined);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.ctx.redis.off('ready', this.onRedisReady);
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  /** Claims and carries out all due work; resolves with how much this call did. A call made during a tick shares it. */
  tick(): Promise<number> {
    this.running ??= this.tickOnce().finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  private async tickOnce(): Promise<number> {
    const { work } = this;
    try {
      if (work.beforeClaims) {
        await work.beforeClaims(this.redisCameBack);
        this.redisCameBack = false;
      }
      if (this.seedNeeded || Date.now() - this.lastSeedAt >= this.options.reseedIntervalMs) await this.seed();
      let done = 0;
      for (;;) {
        const members = await work.set.claimDue(Date.now(), this.options.batchSize);
        if (members.length === 0) break;
        for (const member of members) {
          try {
            if (await work.carryOut(member)) done += 1;
          } catch (error) {
            // This claim and the rest of the batch are out of the set now; the next seed puts them back.
            this.seedNeeded = true;
            throw error;
          }
        }
      }
      if (this.failing) this.ctx.logger.info(`${work.name}: working again`);
      this.failing = false;
      return done;
    } catch (error) {
      if (!this.failing) this.ctx.logger.warn({ err: (error as Error).message }, `${work.name}: tick failed; retrying`);
      this.failing = true;
      throw error;
    }
  }

  private async seed(): Promise<void> {
    await this.work.set.seed(this.work.pending());
    this.seedNeeded = false;
    this.lastSeedAt = Date.now();
  }

  private schedule(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick().catch(() => undefined), this.options.intervalMs);
    this.timer.unref();
  }
}
