import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export interface DesktopLaunchOptions {
  /** Where the server (and its web UI) answers. */
  url: string;
}

/** A running desktop app that `npm start` stops on Ctrl-C. */
export interface DesktopApp {
  stop(): Promise<void>;
}

/** The Electron executable: ELECTRON_OVERRIDE_DIST_PATH, or the one electron's install step downloaded. */
export function electronBinary(): string | null {
  const override = process.env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const candidates = [
      join(override, 'electron'),
      join(override, 'electron.exe'),
      join(override, 'Electron.app', 'Contents', 'MacOS', 'Electron'),
    ];
    return candidates.find((candidate) => existsSync(candidate)) ?? null;
  }
  const pathFile = join(ROOT, 'node_modules', 'electron', 'path.txt');
  if (!existsSync(pathFile)) return null;
  const binary = join(
    ROOT,
    'node_modules',
    'electron',
    'dist',
    readFileSync(pathFile, 'utf8').trim(),
  );
  return existsSync(binary) ? binary : null;
}

export function hasDisplay(): boolean {
  return (
    process.platform === 'darwin' ||
    process.platform === 'win32' ||
    Boolean(process.env.DISPLAY || process.env.WAYLAND_DISPLAY)
  );
}

/**
 * `npm start`'s last step: open the desktop app against the server at `url`. Returns null after
 * one line saying why, when it cannot (no Electron binary, no display), so the web UI is the way in.
 */
export async function launchDesktopApp(options: DesktopLaunchOptions): Promise<DesktopApp | null> {
  const binary = electronBinary();
  const reason = !binary
    ? 'no Electron binary (node_modules/electron/dist is missing and ELECTRON_OVERRIDE_DIST_PATH is unset)'
    : !hasDisplay()
      ? 'no display (DISPLAY and WAYLAND_DISPLAY are unset)'
      : 'the desktop app is not part of this build yet';
  console.log(`Web UI running at ${options.url} — no desktop app started: ${reason}.`);
  return null;
}
