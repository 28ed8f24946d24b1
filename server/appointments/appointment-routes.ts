import { Router } from 'express';
import {
  MAX_APPOINTMENT_DAYS_AHEAD,
  createAppointmentRequest,
  entityId,
  type AppointmentResponse,
  type AppointmentsResponse,
} from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { HttpError, parseInput } from '../http/errors.js';
import { appointmentRateLimit } from '../http/rate-limit.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { isRedisUnavailable, noteRedisFailure, redisUsable } from '../redis-unavailable.js';
import { AppointmentStore } from './appointment-store.js';
import { ReminderQueue } from './reminder-queue.js';

/** At most this many upcoming appointments are listed, soonest first. */
const UPCOMING_LIMIT = 500;

/**
 * `/api/appointments…`: create an appointment with staff to remind and a lead time; list and
 * read the upcoming ones the user created or is reminded of (others answer 404).
 */
export function createAppointmentRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new AppointmentStore(ctx.db);
  const queue = new ReminderQueue(ctx.redis);

  router.get('/appointments', (_req, res) => {
    const body: AppointmentsResponse = { appointments: store.upcomingFor(currentUser(res).id, new Date(), UPCOMING_LIMIT) };
    res.json(body);
  });

  router.post('/appointments', appointmentRateLimit(ctx), async (req, res) => {
    const user = currentUser(res);
    const request = parseInput(createAppointmentRequest, req.body, 'appointment');
    const time = new Date(request.time);
    if (time.getTime() <= Date.now()) throw new HttpError(400, 'validation_failed', 'time: the appointment must be in the future');
    if (time.getTime() > Date.now() + MAX_APPOINTMENT_DAYS_AHEAD * 86_400_000) {
      throw new HttpError(400, 'validation_failed', `time: at most ${MAX_APPOINTMENT_DAYS_AHEAD} days ahead`);
    }
    requireEnabledUserIds(ctx.db, request.remindUserIds, 'remindUserIds');
    const appointment = store.create({
      time: time.toISOString(),
      content: request.content,
      remindUserIds: request.remindUserIds,
      reminderLeadMinutes: request.reminderLeadMinutes,
      createdBy: user.id,
    });
    // Saved in SQLite either way: the scheduler rebuilds the queue from there once Redis is back.
    try {
      if (!redisUsable(ctx.redis)) throw new Error(`Redis connection is ${ctx.redis.status}`);
      await queue.schedule({ id: appointment.id, remindAtMs: Date.parse(appointment.remindAt) });
    } catch (error) {
      if (isRedisUnavailable(error)) noteRedisFailure(ctx.redis);
      ctx.logger.warn({ err: (error as Error).message, appointmentId: appointment.id }, 'reminder not queued yet: Redis unreachable');
    }
    ctx.logger.info({ appointmentId: appointment.id, userId: user.id, remindAt: appointment.remindAt }, 'appointment created');
    const body: AppointmentResponse = { appointment };
    res.status(201).json(body);
  });

  router.get('/appointments/:id', (req, res) => {
    const id = parseInput(entityId, req.params.id, 'appointment id');
    const appointment = store.visibleTo(id, currentUser(res).id);
    if (!appointment) throw new HttpError(404, 'not_found', `no appointment ${id}`);
    const body: AppointmentResponse = { appointment };
    res.json(body);
  });

  return router;
}
