import { Router } from 'express';
import type { ServerContext } from '../context.js';

/** `/api/appointments…`: appointments the user created or is reminded of. */
export function createAppointmentRoutes(_ctx: ServerContext): Router {
  return Router();
}
