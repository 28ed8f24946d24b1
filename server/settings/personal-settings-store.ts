import type { SqlDatabase } from '../db/sql-database.js';
import { randomBytes } from 'node:crypto';
import {
  personalSettings,
  type PersonalSettings,
  type PersonalSettingsPatch,
} from '../../common/api.js';
import { DEFAULT_DESKTOP_SETTINGS } from '../../common/desktop-bridge.js';
import type { SettingsChangedPayload } from '../../common/events.js';
import { OutboxStore } from '../outbox/outbox-store.js';

/** What a person starts with before they saved anything: the desks' own defaults. */
const DEFAULTS: PersonalSettings = personalSettings.parse(DEFAULT_DESKTOP_SETTINGS);

/** The settings that follow each person from desk to desk. */
export class PersonalSettingsStore {
  private readonly outbox: OutboxStore;

  constructor(private readonly db: SqlDatabase) {
    this.outbox = new OutboxStore(db);
  }

  /** Null until the person saved settings from some desk. */
  get(userId: number): PersonalSettings | null {
    const row = this.db
      .prepare<[number], { settings: string }>(
        'SELECT settings FROM user_settings WHERE user_id = ?',
      )
      .get(userId);
    if (!row) return null;
    const parsed = personalSettings.safeParse(JSON.parse(row.settings));
    return parsed.success ? parsed.data : null;
  }

  /**
   * Applies a change over what is stored (or the defaults) and, in the same transaction, puts
   * `settings_changed` for the person's desks in the outbox.
   */
  update(userId: number, patch: PersonalSettingsPatch): PersonalSettings {
    const apply = this.db.transaction((): PersonalSettings => {
      const next = personalSettings.parse({ ...(this.get(userId) ?? DEFAULTS), ...patch });
      this.db
        .prepare<[number, string, string]>(
          `INSERT INTO user_settings (user_id, settings, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, updated_at = excluded.updated_at`,
        )
        .run(userId, JSON.stringify(next), new Date().toISOString());
      const payload: SettingsChangedPayload = {
        type: 'settings_changed',
        settings: next,
        timestamp: new Date().toISOString(),
      };
      this.outbox.enqueue(userId, payload, `settings:${userId}:${randomBytes(8).toString('hex')}`);
      return next;
    });
    return apply.immediate();
  }
}
