import { Router, type Response } from 'express';
import { entityId, updateAppointmentRequest, type AppointmentResponse } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { AppointmentStore } from './appointment-store.js';
import { ReminderQueue } from './reminder-queue.js';

/**
 * `PATCH /api/appointments/:id` and `DELETE /api/appointments/:id`: its creator edits an
 * appointment (the reminder moves with it) or cancels it (no reminder goes out). Anyone else
 * who may see it gets 403; anyone who may not, 404.
 */
export function createAppointmentChangeRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new AppointmentStore(ctx.db);
  const queue = new ReminderQueue(ctx.redis);

  const ownAppointment = (params: { id?: string }, res: Response) => {
    const id = parseInput(entityId, params.id, 'appointment id');
    const user = currentUser(res);
    const appointment = store.visibleTo(id, user.id);
    if (!appointment) throw new HttpError(404, 'not_found', `no appointment ${id}`);
    if (appointment.createdBy !== user.id)
      throw new HttpError(403, 'forbidden', 'only whoever created an appointment may change it');
    if (appointment.cancelledAt)
      throw new HttpError(409, 'conflict', 'this appointment was cancelled');
    return appointment;
  };

  /** SQLite is the truth: with Redis away, the scheduler rebuilds the queue from it later. */
  const requeue = async (what: () => Promise<void>, appointmentId: number) => {
    try {
      if (ctx.redis.status !== 'ready') throw new Error(`Redis connection is ${ctx.redis.status}`);
      await what();
    } catch (error) {
      ctx.logger.warn(
        { err: (error as Error).message, appointmentId },
        'reminder queue not updated yet: Redis unreachable',
      );
    }
  };

  router.patch('/appointments/:id', async (req, res) => {
    const appointment = ownAppointment(req.params, res);
    const request = parseInput(updateAppointmentRequest, req.body, 'appointment change');
    const time = request.time === undefined ? undefined : new Date(request.time);
    if (time && time.getTime() <= Date.now())
      throw new HttpError(400, 'validation_failed', 'time: the appointment must be in the future');
    if (request.remindUserIds)
      requireEnabledUserIds(ctx.db, request.remindUserIds, 'remindUserIds');
    const updated = store.update(appointment.id, { ...request, time: time?.toISOString() });
    if (!updated) throw new HttpError(404, 'not_found', `no appointment ${appointment.id}`);
    if (!updated.reminderSent)
      await requeue(
        () => queue.schedule({ id: updated.id, remindAtMs: Date.parse(updated.remindAt) }),
        updated.id,
      );
    ctx.logger.info(
      { appointmentId: updated.id, remindAt: updated.remindAt },
      'appointment changed',
    );
    const body: AppointmentResponse = { appointment: updated };
    res.json(body);
  });

  router.delete('/appointments/:id', async (req, res) => {
    const appointment = ownAppointment(req.params, res);
    const cancelled = store.cancel(appointment.id, new Date());
    if (!cancelled) throw new HttpError(404, 'not_found', `no appointment ${appointment.id}`);
    // The scheduler would find it cancelled anyway; taking it out saves it the look.
    await requeue(() => queue.unschedule(appointment.id), appointment.id);
    ctx.logger.info({ appointmentId: appointment.id }, 'appointment cancelled');
    const body: AppointmentResponse = { appointment: cancelled };
    res.json(body);
  });

  return router;
}
