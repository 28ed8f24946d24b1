import { Router } from 'express';
import { personalSettingsPatch, type PersonalSettingsResponse } from '../../common/api.js';
import { currentUser } from '../auth/current-user.js';
import type { ServerContext } from '../context.js';
import { parseInput } from '../http/errors.js';
import { outboxRelayFor } from '../outbox/outbox-relay.js';
import { PersonalSettingsStore } from './personal-settings-store.js';

/**
 * `GET /api/me/settings` and `PATCH /api/me/settings`: the settings that follow the signed-in
 * person to any desk. Every desk of theirs hears `settings_changed` after a change.
 */
export function createPersonalSettingsRoutes(ctx: ServerContext): Router {
  const router = Router();
  const store = new PersonalSettingsStore(ctx.db);

  router.get('/me/settings', (_req, res) => {
    const body: PersonalSettingsResponse = { settings: store.get(currentUser(res).id) };
    res.json(body);
  });

  router.patch('/me/settings', (req, res) => {
    const patch = parseInput(personalSettingsPatch, req.body, 'settings');
    const body: PersonalSettingsResponse = { settings: store.update(currentUser(res).id, patch) };
    outboxRelayFor(ctx).kick();
    res.json(body);
  });

  return router;
}
