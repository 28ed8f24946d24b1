import { Router } from 'express';
import type { ServerContext } from '../context.js';

/** `POST /api/test/…`: the original system's endpoints that publish a sample event to oneself. */
export function createTestEventRoutes(_ctx: ServerContext): Router {
  return Router();
}
