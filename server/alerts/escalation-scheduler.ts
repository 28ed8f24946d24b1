import type { ServerContext } from '../context.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { AlertSettingsStore } from './alert-settings-store.js';
import { alertStatusPublisherFor } from './alert-status-publisher.js';
import { purgeExpiredAlerts } from './audit-retention.js';
import { EscalationQueue } from './escalation-queue.js';
import { EscalationSteps } from './escalation-steps.js';

export interface EscalationSchedulerOptions {
  /** How often due steps are looked for. */
  intervalMs?: number;
  /** How often the Redis queue is rebuilt from SQLite even when nothing seemed lost. */
  reseedIntervalMs?: number;
  /** Steps claimed per round trip. */
  batchSize?: number;
  /** How often alerts older than the clinic's audit retention are deleted. */
  purgeIntervalMs?: number;
}

const DEFAULTS: Required<EscalationSchedulerOptions> = {
  intervalMs: 1_000,
  reseedIntervalMs: 30_000,
  batchSize: 100,
  purgeIntervalMs: 3_600_000,
};

/**
 * Repeats and escalations of urgent alerts, in every server process, following the reminder
 * scheduler: SQLite holds each alert's one active step and when it is due; a Redis sorted set
 * says when to look, and each tick claims the due members atomically so that normally one
 * process tries each step. What makes a step happen exactly once is SQLite's compare-and-set
 * (EscalationSteps): a claim lost with a killed process comes back when the set is rebuilt
 * from SQLite (at start, when Redis is ready again, after a failure, every `reseedIntervalMs`),
 * and then the step runs on whichever process claims it next. Every hour it also deletes alerts
 * past the clinic's audit retention.
 */
export class EscalationScheduler {
  private readonly steps: EscalationSteps;
  private readonly settings: AlertSettingsStore;
  private readonly queue: EscalationQueue;
  private readonly options: Required<EscalationSchedulerOptions>;
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private seedNeeded = true;
  private lastSeedAt = 0;
  private lastPurgeAt = 0;
  private failing = false;
  private readonly onRedisReady = () => {
    this.seedNeeded = true;
    this.tick().catch(() => undefined);
  };

  constructor(
    private readonly ctx: ServerContext,
    options: EscalationSchedulerOptions = {},
  ) {
    this.steps = new EscalationSteps(ctx.db);
    this.settings = new AlertSettingsStore(ctx.db);
    this.queue = new EscalationQueue(ctx.redis);
    this.options = { ...DEFAULTS, ...options };
  }

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

  /** Claims and carries out every due step; resolves with how many steps this call carried out. */
  tick(): Promise<number> {
    this.running ??= this.tickOnce().finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  private async tickOnce(): Promise<number> {
    try {
      if (this.seedNeeded || Date.now() - this.lastSeedAt >= this.options.reseedIntervalMs) await this.seed();
      let carriedOut = 0;
      for (;;) {
        const claimed = await this.queue.claimDue(Date.now(), this.options.batchSize);
        if (claimed.length === 0) break;
        for (const { alertId, step } of claimed) {
          try {
            if (await this.carryOut(alertId, step)) carriedOut += 1;
          } catch (error) {
            // This claim and the rest of the batch are out of the set; the next seed puts them back.
            this.seedNeeded = true;
            throw error;
          }
        }
      }
      if (Date.now() - this.lastPurgeAt >= this.options.purgeIntervalMs) this.purge();
      if (this.failing) this.ctx.logger.info('escalation scheduler: working again');
      this.failing = false;
      return carriedOut;
    } catch (error) {
      if (!this.failing) this.ctx.logger.warn({ err: (error as Error).message }, 'escalation scheduler: tick failed; retrying');
      this.failing = true;
      throw error;
    }
  }

  /** The delivery audit keeps alerts for the clinic's retention period, and no longer. */
  private purge(): void {
    this.lastPurgeAt = Date.now();
    const days = this.settings.get().auditRetentionDays;
    const removed = purgeExpiredAlerts(this.ctx.db, days, new Date());
    if (removed > 0) this.ctx.logger.info({ removed, days }, 'alerts past the audit retention deleted');
  }

  private async seed(): Promise<void> {
    await this.queue.seed(this.steps.due());
    this.seedNeeded = false;
    this.lastSeedAt = Date.now();
  }

  private async carryOut(alertId: number, step: number): Promise<boolean> {
    const outcome = this.steps.fire(alertId, step, new Date());
    switch (outcome.kind) {
      case 'stale':
        return false;
      case 'not_yet':
        await this.queue.schedule({ alertId, step, dueMs: outcome.dueMs });
        return false;
      case 'repeated':
      case 'escalated':
        outboxRelayFor(this.ctx).kick();
        alertStatusPublisherFor(this.ctx).touch(outcome.touched);
        if (outcome.next) await this.queue.schedule(outcome.next);
        this.ctx.logger.info(
          outcome.kind === 'repeated'
            ? { alertId, repeat: outcome.repeat, of: outcome.of }
            : { alertId, reached: outcome.reached },
          outcome.kind === 'repeated' ? 'urgent alert repeated' : 'urgent alert escalated',
        );
        return true;
    }
  }

  private schedule(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick().catch(() => undefined), this.options.intervalMs);
    this.timer.unref();
  }
}
