import { Router } from 'express';
import type { ServerContext } from '../context.js';

/** `/api/conversations…`: the signed-in user's conversations and their messages. */
export function createConversationRoutes(_ctx: ServerContext): Router {
  return Router();
}
