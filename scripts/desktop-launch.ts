import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDesktop } from './build-desktop.js';

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

/** The version of the `electron` devDependency, whose binary npm could not fetch. */
export function installedElectronVersion(): string | null {
  try {
    const manifest = JSON.parse(
      readFileSync(join(ROOT, 'node_modules', 'electron', 'package.json'), 'utf8'),
    ) as { version?: string };
    return manifest.version ?? null;
  } catch {
    return null;
  }
}

/**
 * How a developer gets the binary that `npm ci` does not download (the project does not run
 * electron's install script, and this desk may not reach Electron's release downloads).
 */
export function electronMissingHelp(version: string | null): string {
  const release = version ? `v${version}` : 'the version in package.json';
  return [
    `To run the desktop app here, get Electron ${release} for this OS in one of two ways, then run npm start again:`,
    `  - download it through a mirror your network reaches:`,
    `      ELECTRON_MIRROR=https://mirror.example/electron/ node node_modules/electron/install.js`,
    `  - or unpack its release zip (electron-${release}-${process.platform}-${process.arch}.zip) anywhere and point to the folder:`,
    `      ELECTRON_OVERRIDE_DIST_PATH=/path/to/electron-${release} npm start`,
  ].join('\n');
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
      : null;
  if (!binary || reason) {
    console.log(`Web UI running at ${options.url} — no desktop app started: ${reason}.`);
    if (!binary) console.log(electronMissingHelp(installedElectronVersion()));
    return null;
  }
  let build;
  try {
    build = await buildDesktop();
  } catch (error) {
    const message = error instanceof Error ? error.message.split('\n')[0] : String(error);
    console.log(
      `Web UI running at ${options.url} — no desktop app started: the desktop build failed (${message}).`,
    );
    return null;
  }
  return spawnDesktopApp(binary, build.outDir, options.url);
}

/** Electron on the built app directory, pointed at the local server as an IT admin's preset would. */
function spawnDesktopApp(binary: string, appDirectory: string, url: string): DesktopApp {
  // Chromium refuses to run as root with its sandbox on; a root shell is a development machine.
  const args =
    process.platform === 'linux' && process.getuid?.() === 0
      ? ['--no-sandbox', appDirectory]
      : [appDirectory];
  const child = spawn(binary, args, {
    cwd: ROOT,
    env: { ...process.env, CLINICPULSE_SERVER_URL: url },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.once('error', (error) =>
    console.log(`Web UI running at ${url} — the desktop app could not start: ${error.message}.`),
  );
  console.log(
    `Desktop app started (Electron ${binary}); quit it from its tray icon, or press Ctrl-C here.`,
  );
  return {
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
