import type { AppointmentReminderPayload } from '../../common/events.js';
import { AlertSettingsStore } from '../alerts/alert-settings-store.js';
import { AlertStore } from '../alerts/alert-store.js';
import type { ServerContext } from '../context.js';
import type { UserEvent } from '../events/event-publisher.js';
import { rowDedupeKey } from '../events/row-dedupe-key.js';
import { RedisLossWindow } from '../redis-loss-window.js';
import { DueWorkScheduler, type DueWorkSchedulerOptions } from '../scheduling/due-work-scheduler.js';
import { AppointmentStore, type ReminderOf } from './appointment-store.js';
import { ReminderQueue, reminderEntry } from './reminder-queue.js';

export type ReminderSchedulerOptions = DueWorkSchedulerOptions;

const DEFAULTS: Required<ReminderSchedulerOptions> = {
  intervalMs: 1_000,
  reseedIntervalMs: 60_000,
  batchSize: 100,
};

/** The dedupe key of one appointment's reminder to one user: a second publish of it is a no-op. */
export const reminderDedupeKey = (appointment: ReminderOf, userId: number): string =>
  rowDedupeKey('appt', appointment.id, appointment.createdAt, userId);

/**
 * Publishes `appointment_reminder` to everyone to be reminded of an appointment when its
 * reminder falls due, once, however many server processes run (a DueWorkScheduler over the
 * unsent reminders in SQLite); a reminder sent again after a lost claim carries its dedupe key
 * and changes nothing.
 */
export class ReminderScheduler {
  private readonly store: AppointmentStore;
  private readonly alerts: AlertStore;
  private readonly alertSettings: AlertSettingsStore;
  private readonly scheduler: DueWorkScheduler;
  private readonly lossWindow: RedisLossWindow;

  constructor(
    private readonly ctx: ServerContext,
    options: ReminderSchedulerOptions = {},
  ) {
    this.store = new AppointmentStore(ctx.db);
    this.alerts = new AlertStore(ctx.db);
    this.alertSettings = new AlertSettingsStore(ctx.db);
    this.lossWindow = new RedisLossWindow(ctx.redis, ctx.config.redisLossWindowSeconds * 1000);
    const queue = new ReminderQueue(ctx.redis);
    this.scheduler = new DueWorkScheduler(
      ctx,
      {
        name: 'reminder scheduler',
        set: queue.set,
        pending: () => this.store.unsentReminders().map(reminderEntry),
        carryOut: (member) => this.send(Number(member)),
        beforeClaims: async (redisCameBack) => {
          if (redisCameBack) await this.resendRecent();
        },
      },
      options,
      DEFAULTS,
    );
  }

  /** Sends what fell due while the server was down, then keeps ticking until stop(). */
  start(): void {
    this.lossWindow.watch();
    this.scheduler.start();
  }

  stop(): Promise<void> {
    this.lossWindow.close();
    return this.scheduler.stop();
  }

  /** Claims and sends every due reminder; resolves with how many appointments this call reminded of. */
  tick(): Promise<number> {
    return this.scheduler.tick();
  }

  /**
   * Sends again the reminders sent within REDIS_LOSS_WINDOW_SECONDS of the connection's trouble
   * (redis-loss-window.ts): their dedupe keys make that a no-op for each one Redis still holds,
   * and send the ones it lost with its last writes.
   */
  private async resendRecent(): Promise<void> {
    const repair = this.lossWindow.beginRepair();
    for (const appointment of this.store.remindedSince(repair.since)) {
      this.store.recordReminderPublished(appointment.id, await this.publishReminder(appointment, new Date()));
    }
    repair.done();
  }

  /** Publishes one claimed appointment's reminder to each person; false when it had gone out already. */
  private async send(appointmentId: number): Promise<boolean> {
    const appointment = this.store.pendingReminder(appointmentId);
    if (!appointment) return false;
    const now = new Date();
    this.store.recordReminderPublished(appointment.id, await this.publishReminder(appointment, now), now);
    this.ctx.logger.info({ appointmentId: appointment.id, recipients: appointment.remindUserIds.length }, 'appointment reminder sent');
    return true;
  }

  /** Each person's reminder, published; the ids they got, to keep with the appointment. */
  private async publishReminder(appointment: ReminderOf, now: Date): Promise<Array<{ userId: number; eventId: number }>> {
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
    // Published again after a Redis loss, each person's copy names the id it had first, so a
    // desk that had it is not shown it twice (stored-event.ts asCopyOf).
    const firstIds = this.store.reminderEventIds(appointment.id);
    const events: UserEvent[] = appointment.remindUserIds.map((userId) => {
      const firstId = firstIds.get(userId);
      return { userId, payload, dedupeKey: reminderDedupeKey(appointment, userId), ...(firstId === undefined ? {} : { firstId }) };
    });
    const ids = await this.ctx.publisher.publishBatch(events);
    return events.map(({ userId }, index) => ({ userId, eventId: ids[index]! }));
  }
}
