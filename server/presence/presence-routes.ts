import { Router } from 'express';
import {
  presenceChoiceRequest,
  presenceReport,
  type OwnPresenceResponse,
  type PresenceResponse,
} from '../../common/presence.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { announcePresence } from './presence-announcer.js';
import { PresenceStore } from './presence-store.js';

/**
 * `GET /api/presence` (everyone not away), `POST /api/presence/report` (a desk in use or idle)
 * and `POST /api/me/presence` (the person's choice: available or busy). With Redis away each
 * answers 503 and changes nothing.
 */
export function createPresenceRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new PresenceStore(ctx.redis);

  router.get('/presence', async (_req, res) => {
    const body: PresenceResponse = await store.list(currentUser(res).id);
    res.json(body);
  });

  router.post('/presence/report', async (req, res) => {
    const report = parseInput(presenceReport, req.body, 'presence report');
    const update = await store.report(currentUser(res).id, report.deskId, report.active);
    await announcePresence(ctx, [update]);
    const body: OwnPresenceResponse = { status: update.status, choice: update.choice };
    res.json(body);
  });

  router.post('/me/presence', async (req, res) => {
    const request = parseInput(presenceChoiceRequest, req.body, 'presence');
    const update = await store.choose(currentUser(res).id, request.deskId, request.status);
    await announcePresence(ctx, [update]);
    const body: OwnPresenceResponse = { status: update.status, choice: update.choice };
    res.json(body);
  });

  return router;
}
