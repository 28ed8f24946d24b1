import type { ServerContext } from '../context.js';
import { DueWorkScheduler, type DueWorkSchedulerOptions } from '../scheduling/due-work-scheduler.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { AlertSettingsStore } from './alert-settings-store.js';
import { alertStatusPublisherFor } from './alert-status-publisher.js';
import { purgeExpiredAlerts } from './audit-retention.js';
import { EscalationQueue, stepEntry, stepOf } from './escalation-queue.js';
import { EscalationSteps } from './escalation-steps.js';

export interface EscalationSchedulerOptions extends DueWorkSchedulerOptions {
  /** How often alerts older than the clinic's audit retention are deleted. */
  purgeIntervalMs?: number;
}

const DEFAULTS: Required<DueWorkSchedulerOptions> = {
  intervalMs: 1_000,
  reseedIntervalMs: 30_000,
  batchSize: 100,
};
const PURGE_INTERVAL_MS = 3_600_000;

/**
 * Repeats and escalations of urgent alerts, in every server process (a DueWorkScheduler, as
 * reminders are): SQLite holds each alert's one active step and when it is due; the Redis set
 * says when to look. What makes a step happen exactly once is SQLite's compare-and-set
 * (EscalationSteps): a claim lost with a killed process comes back when the set is rebuilt, and
 * the step runs on whichever process claims it next. Every hour it also deletes alerts past the
 * clinic's audit retention.
 */
export class EscalationScheduler {
  private readonly steps: EscalationSteps;
  private readonly settings: AlertSettingsStore;
  private readonly queue: EscalationQueue;
  private readonly scheduler: DueWorkScheduler;
  private readonly purgeIntervalMs: number;
  private lastPurgeAt = 0;

  constructor(
    private readonly ctx: ServerContext,
    options: EscalationSchedulerOptions = {},
  ) {
    this.steps = new EscalationSteps(ctx.db);
    this.settings = new AlertSettingsStore(ctx.db);
    this.queue = new EscalationQueue(ctx.redis);
    const { purgeIntervalMs = PURGE_INTERVAL_MS, ...scheduling } = options;
    this.purgeIntervalMs = purgeIntervalMs;
    this.scheduler = new DueWorkScheduler(
      ctx,
      {
        name: 'escalation scheduler',
        set: this.queue.set,
        pending: () => this.steps.due().map(stepEntry),
        carryOut: async (member) => {
          const step = stepOf(member);
          return step ? this.carryOut(step.alertId, step.step) : false;
        },
        beforeClaims: () => {
          if (Date.now() - this.lastPurgeAt >= this.purgeIntervalMs) this.purge();
        },
      },
      scheduling,
      DEFAULTS,
    );
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }

  /** Claims and carries out every due step; resolves with how many steps this call carried out. */
  tick(): Promise<number> {
    return this.scheduler.tick();
  }

  /** The delivery audit keeps alerts for the clinic's retention period, and no longer. */
  private purge(): void {
    this.lastPurgeAt = Date.now();
    const days = this.settings.get().auditRetentionDays;
    const removed = purgeExpiredAlerts(this.ctx.db, days, new Date());
    if (removed > 0) this.ctx.logger.info({ removed, days }, 'alerts past the audit retention deleted');
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
}
