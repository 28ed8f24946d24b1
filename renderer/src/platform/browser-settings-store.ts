import {
  DEFAULT_DESKTOP_SETTINGS,
  desktopSettings,
  desktopSettingsPatch,
  type DesktopSettings,
} from '../../../common/desktop-bridge.js';
import type { SettingsStore } from './platform.js';

const STORAGE_KEY = 'clinicpulse.settings';

/**
 * Settings of a browser tab, kept in localStorage with the desktop app's shape so the same page
 * edits both. Only what a tab can honour applies: preview level, do-not-disturb, quiet hours and
 * sound act on the tab's own pop-ups.
 */
export function createBrowserSettingsStore(
  storage: Storage | null = safeLocalStorage(),
): SettingsStore {
  const read = (): DesktopSettings => {
    const raw = storage?.getItem(STORAGE_KEY);
    if (!raw) return DEFAULT_DESKTOP_SETTINGS;
    try {
      const parsed = desktopSettings.safeParse(JSON.parse(raw));
      return parsed.success ? parsed.data : DEFAULT_DESKTOP_SETTINGS;
    } catch {
      return DEFAULT_DESKTOP_SETTINGS;
    }
  };

  return {
    applicable: new Set(['previewLevel', 'doNotDisturb', 'quietHours', 'sound']),
    followsPersonItself: false,
    load: () => Promise.resolve(read()),
    update: (patch) => {
      const next = desktopSettings.parse({ ...read(), ...desktopSettingsPatch.parse(patch) });
      storage?.setItem(STORAGE_KEY, JSON.stringify(next));
      return Promise.resolve(next);
    },
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    // Storage can be switched off entirely; the defaults then hold for this tab.
    return null;
  }
}
