import type { SqlDatabase } from '../db/sql-database.js';
import { alertSettings, DEFAULT_ALERT_SETTINGS, type AlertSettings, type AlertSettingsPatch } from '../../common/alert-settings.js';
import { safeJson } from '../../common/safe-json.js';

const KEY = 'alerting';

/** The clinic's alerting settings, one JSON row in `clinic_settings`; the defaults until an admin changes them. */
export class AlertSettingsStore {
  constructor(private readonly db: SqlDatabase) {}

  get(): AlertSettings {
    const raw = this.db.prepare<[string], string>('SELECT value FROM clinic_settings WHERE key = ?').pluck().get(KEY);
    if (raw === undefined) return DEFAULT_ALERT_SETTINGS;
    // A row written by another version keeps what still parses; the rest falls back to defaults.
    const stored = alertSettings.partial().safeParse(safeJson(raw));
    return { ...DEFAULT_ALERT_SETTINGS, ...(stored.success ? stored.data : {}) };
  }

  update(patch: AlertSettingsPatch): AlertSettings {
    const update = this.db.transaction((): AlertSettings => {
      const next = alertSettings.parse({ ...this.get(), ...patch });
      this.db
        .prepare<[string, string]>('INSERT INTO clinic_settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
        .run(KEY, JSON.stringify(next));
      return next;
    });
    return update.immediate();
  }
}

