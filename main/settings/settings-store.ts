import {
  DEFAULT_DESKTOP_SETTINGS,
  desktopSettings,
  desktopSettingsPatch,
  type DesktopSettings,
  type DesktopSettingsPatch,
} from '../../common/desktop-bridge.js';
import { readFileIfExists, writeFileAtomic } from '../cursor/atomic-file.js';
import { safeJson } from '../../common/safe-json.js';

/**
 * The desk's own settings (preview level, do-not-disturb, quiet hours…), one JSON file in the
 * user data directory. A missing or damaged file, or a damaged field, falls back to the
 * defaults field by field, so one bad value cannot silently widen what pop-ups show.
 */
export class SettingsStore {
  private current: DesktopSettings = { ...DEFAULT_DESKTOP_SETTINGS };

  constructor(private readonly path: string) {}

  async load(): Promise<DesktopSettings> {
    const text = await readFileIfExists(this.path);
    const stored = text === undefined ? {} : safeJson(text);
    const merged: Record<string, unknown> = { ...DEFAULT_DESKTOP_SETTINGS };
    if (stored && typeof stored === 'object') {
      for (const [key, value] of Object.entries(stored)) {
        const field = desktopSettings.shape[key as keyof DesktopSettings];
        if (field?.safeParse(value).success) merged[key] = value;
      }
    }
    this.current = desktopSettings.parse(merged);
    return this.settings;
  }

  get settings(): DesktopSettings {
    return structuredClone(this.current);
  }

  async update(patch: DesktopSettingsPatch): Promise<DesktopSettings> {
    const next = desktopSettings.parse({ ...this.current, ...desktopSettingsPatch.parse(patch) });
    await writeFileAtomic(this.path, JSON.stringify(next, null, 2));
    this.current = next;
    return this.settings;
  }
}

