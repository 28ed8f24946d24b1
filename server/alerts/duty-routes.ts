import { Router } from 'express';
import { alertSettingsPatch, type AlertSettingsResponse } from '../../common/alert-settings.js';
import { entityId } from '../../common/api.js';
import { setDutyRequest, type OnDutyResponse } from '../../common/duty.js';
import { requireRole } from '../auth/authenticate.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { requireEnabledUserIds } from '../notifications/recipients.js';
import { AlertSettingsStore } from './alert-settings-store.js';
import { OnDutyStore } from './on-duty-store.js';

/**
 * Who is on duty (`/api/duty`: anyone may read it and set themselves; admins set it for others)
 * and the clinic's alerting settings (read by every signed-in user, changed by admins).
 */
export function createDutyAndSettingsRoutes(ctx: ServerContext): Router {
  const router = Router();
  const duty = new OnDutyStore(ctx.db);
  const settings = new AlertSettingsStore(ctx.db);
  const list = (): OnDutyResponse => ({ onDuty: duty.list() });

  router.get('/duty', (_req, res) => {
    res.json(list());
  });

  router.post('/duty', (req, res) => {
    const user = currentUser(res);
    const { onDuty } = parseInput(setDutyRequest, req.body, 'duty');
    duty.set(user.id, onDuty, user.id);
    ctx.logger.info({ userId: user.id, onDuty }, 'duty changed');
    res.json(list());
  });

  router.post('/admin/duty/:userId', requireRole('admin'), (req, res) => {
    const admin = currentUser(res);
    const userId = parseInput(entityId, req.params.userId, 'user id');
    const { onDuty } = parseInput(setDutyRequest, req.body, 'duty');
    requireEnabledUserIds(ctx.db, [userId], 'userId');
    duty.set(userId, onDuty, admin.id);
    ctx.logger.info({ userId, onDuty, by: admin.id }, 'duty changed by an admin');
    res.json(list());
  });

  router.get('/alerts/settings', (_req, res) => {
    const body: AlertSettingsResponse = { settings: settings.get() };
    res.json(body);
  });

  router.patch('/admin/alert-settings', requireRole('admin'), (req, res) => {
    const patch = parseInput(alertSettingsPatch, req.body, 'alert settings');
    if (patch.escalationTarget?.kind === 'user') requireEnabledUserIds(ctx.db, [patch.escalationTarget.userId], 'escalationTarget.userId');
    const body: AlertSettingsResponse = { settings: settings.update(patch) };
    ctx.logger.info({ userId: currentUser(res).id, changed: Object.keys(patch) }, 'alert settings changed');
    res.json(body);
  });

  return router;
}
