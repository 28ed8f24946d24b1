import type { DesktopState } from '../common/desktop-bridge.js';
import type { NativeNotification } from './notify/native-notification.js';

/**
 * What an `_electron` test reads from the main process (`electronApp.evaluate`), installed only
 * when the app runs with CLINICPULSE_TEST_MODE=1. Pop-ups then go to a recording sink: the test
 * sees exactly what would have been shown and can click it through the app's real handler.
 */
export interface ClinicPulseTestHooks {
  notifications(): NativeNotification[];
  clickNotification(index: number): void;
  /** The last count given to `app.setBadgeCount`. */
  badgeCount(): number;
  trayTooltip(): string | null;
  state(): DesktopState;
}

export const TEST_HOOKS_GLOBAL = '__clinicPulseTest';

/**
 * Only a development build (`electron dist/desktop`) honours the variable: in an installed app
 * anybody who can set an environment variable could otherwise swap real pop-ups for a recording.
 */
export function isTestMode(env: NodeJS.ProcessEnv, packaged: boolean): boolean {
  return !packaged && env.CLINICPULSE_TEST_MODE === '1';
}

export function installTestHooks(hooks: ClinicPulseTestHooks): void {
  Object.defineProperty(globalThis, TEST_HOOKS_GLOBAL, { value: hooks, enumerable: false });
}
