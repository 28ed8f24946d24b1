import type { Appointment } from '../../common/api.js';
import type { AppointmentReminderPayload } from '../../common/events.js';
import { AlertSettingsStore } from '../alerts/alert-settings-store.js';
import { AlertStore } from '../alerts/alert-store.js';
import type { ServerContext } from '../context.js';
import { AppointmentStore } from './appointment-store.js';
import { ReminderQueue } from './reminder-queue.js';

export interface ReminderSchedulerOptions {
  /** How often due reminders are looked for. */
  intervalMs?: number;
  /** How often the Redis queue is rebuilt from SQLite even when nothing seemed lost. */
  reseedIntervalMs?: number;
  /** Reminders claimed per round trip. */
  batchSize?: number;
}

const DEFAULTS: Required<ReminderSchedulerOptions> = {
  intervalMs: 1_000,
  reseedIntervalMs: 60_000,
  batchSize: 100,
};

/** The dedupe key of one appointment's reminder to one user: a second publish of it is a no-op. */
export const reminderDedupeKey = (appointmentId: number, userId: number): string => `appt:${appointmentId}:${userId}`;

/**
 * Publishes `appointment_reminder` to everyone to be reminded of an appointment when its
 * reminder falls due, once, however many server processes run: each tick atomically claims the
 * due ids from a Redis sorted set, and only the claimer sends. SQLite stays the truth: the set
 * is rebuilt from unsent appointments at start, after Redis reconnects, after a failed send and
 * every `reseedIntervalMs`, so neither a Redis restart nor a crash after a claim loses a
 * reminder; a reminder sent again after such a rebuild carries its dedupe key and changes nothing.
 */
export class ReminderScheduler {
  private readonly store: AppointmentStore;
  private readonly queue: ReminderQueue;
  private readonly alerts: AlertStore;
  private readonly alertSettings: AlertSettingsStore;
  private readonly options: Required<ReminderSchedulerOptions>;
  private running: Promise<number> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private started = false;
  private seedNeeded = true;
  private lastSeedAt = 0;
  private failing = false;
  /** Set at start and whenever the connection is ready again, like seedNeeded. */
  private resendNeeded = true;
  private readonly onRedisReady = () => {
    // Redis may have come back without its data, or without its last writes.
    this.seedNeeded = true;
    this.resendNeeded = true;
    this.tick().catch(() => undefined);
  };

  constructor(
    private readonly ctx: ServerContext,
    options: ReminderSchedulerOptions = {},
  ) {
    this.store = new AppointmentStore(ctx.db);
    this.queue = new ReminderQueue(ctx.redis);
    this.alerts = new AlertStore(ctx.db);
    this.alertSettings = new AlertSettingsStore(ctx.db);
    this.options = { ...DEFAULTS, ...options };
  }

  /** Sends what fell due while the server was down, then keeps ticking until stop(). */
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

  /**
   * Claims and sends every due reminder; resolves with how many appointments this call reminded
   * of. A call made during a tick shares it.
   */
  tick(): Promise<number> {
    this.running ??= this.tickOnce().finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  private async tickOnce(): Promise<number> {
    try {
      if (this.resendNeeded) await this.resendRecent();
      if (this.seedNeeded || Date.now() - this.lastSeedAt >= this.options.reseedIntervalMs) await this.seed();
      let sent = 0;
      for (;;) {
        const ids = await this.queue.claimDue(Date.now(), this.options.batchSize);
        if (ids.length === 0) break;
        for (const id of ids) {
          try {
            if (await this.send(id)) sent += 1;
          } catch (error) {
            // This claim and the rest of the batch are out of the set now; the next tick puts them back.
            this.seedNeeded = true;
            throw error;
          }
        }
      }
      if (this.failing) this.ctx.logger.info('reminder scheduler: Redis reachable again');
      this.failing = false;
      return sent;
    } catch (error) {
      if (!this.failing) this.ctx.logger.warn({ err: (error as Error).message }, 'reminder scheduler: tick failed; retrying');
      this.failing = true;
      throw error;
    }
  }

  private async seed(): Promise<void> {
    await this.queue.seed(this.store.unsentReminders());
    this.seedNeeded = false;
    this.lastSeedAt = Date.now();
  }

  /**
   * Sends again the reminders sent within REDIS_LOSS_WINDOW_SECONDS: their dedupe keys make that
   * a no-op for each one Redis still holds, and send the ones it lost with its last writes.
   */
  private async resendRecent(): Promise<void> {
    const since = new Date(Date.now() - this.ctx.config.redisLossWindowSeconds * 1000);
    for (const appointment of this.store.remindedSince(since)) await this.publishReminder(appointment, new Date());
    this.resendNeeded = false;
  }

  /** Publishes one claimed appointment's reminder to each person; false when it had gone out already. */
  private async send(appointmentId: number): Promise<boolean> {
    const appointment = this.store.pendingReminder(appointmentId);
    if (!appointment) return false;
    const now = new Date();
    await this.publishReminder(appointment, now);
    this.store.markReminderSent(appointment.id, now);
    this.ctx.logger.info({ appointmentId: appointment.id, recipients: appointment.remindUserIds.length }, 'appointment reminder sent');
    return true;
  }

  private async publishReminder(appointment: Appointment, now: Date): Promise<void> {
    // Made once per appointment: a reminder sent again (after a crash or a Redis loss) carries the same alert.
    const alertId = this.alerts.forReminder(appointment, now);
    const payload: AppointmentReminderPayload = {
      type: 'appointment_reminder',
      appointmentId: String(appointment.id),
      time: appointment.time,
      content: appointment.content,
      timestamp: now.toISOString(),
      alert_id: String(alertId),
      ...(this.alertSettings.get().urgentPassesDoNotDisturb ? { passes_do_not_disturb: true } : {}),
    };
    for (const userId of appointment.remindUserIds) {
      await this.ctx.publisher.publish(userId, payload, { dedupeKey: reminderDedupeKey(appointment.id, userId) });
    }
  }

  private schedule(): void {
    if (!this.started) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick().catch(() => undefined), this.options.intervalMs);
    this.timer.unref();
  }
}
