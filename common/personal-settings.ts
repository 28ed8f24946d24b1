import {
  PERSONAL_SETTING_KEYS,
  type PersonalSettings,
  type PersonalSettingsPatch,
} from './api.js';
import type { DesktopSettings, DesktopSettingsPatch } from './desktop-bridge.js';

/**
 * How a desk keeps the settings that follow the person (kept on the server) in step with its
 * own, shared by the browser page and the desktop main process.
 */

/** The part of a change that follows the person. */
export function personalPart(patch: DesktopSettingsPatch): PersonalSettingsPatch {
  return Object.fromEntries(
    PERSONAL_SETTING_KEYS.filter((key) => key in patch).map((key) => [key, patch[key]]),
  ) as PersonalSettingsPatch;
}

/** What a desk must change to match the person's settings; empty when it already does. */
export function personalDifferences(
  personal: PersonalSettings,
  local: DesktopSettings,
): DesktopSettingsPatch {
  return Object.fromEntries(
    PERSONAL_SETTING_KEYS.filter((key) => !sameValue(personal[key], local[key])).map((key) => [
      key,
      personal[key],
    ]),
  ) as DesktopSettingsPatch;
}

/** The personal settings whose values differ between two states of a desk's settings. */
export function changedPersonalSettings(
  before: DesktopSettings,
  after: DesktopSettings,
): PersonalSettingsPatch {
  return Object.fromEntries(
    PERSONAL_SETTING_KEYS.filter((key) => !sameValue(before[key], after[key])).map((key) => [
      key,
      after[key] ?? null,
    ]),
  ) as PersonalSettingsPatch;
}

/** An absent end time and null mean the same: none. */
function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}
