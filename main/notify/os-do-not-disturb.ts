import { execFile } from 'node:child_process';
import type { Clock } from '../clock.js';

export type CommandRunner = (command: string, args: readonly string[]) => Promise<string>;

export const runCommand: CommandRunner = (command, args) =>
  new Promise((resolve, reject) => {
    execFile(command, args, { timeout: 2_000, windowsHide: true }, (error, stdout) =>
      error ? reject(error) : resolve(stdout),
    );
  });

const REFRESH_MS = 10_000;

/**
 * The OS's own do-not-disturb, where it can be read without native code: GNOME keeps it in
 * `org.gnome.desktop.notifications show-banners`. Windows Focus Assist and macOS Focus have no
 * public API Electron exposes; there (and when gsettings is absent) this reports false and the
 * OS itself still holds the pop-up back as it does for every app. The answer is cached and
 * refreshed in the background, so deciding about a pop-up never waits on a process.
 */
export class OsDoNotDisturb {
  private active = false;
  private checkedAt = Number.NEGATIVE_INFINITY;
  private checking = false;

  constructor(
    private readonly platform: NodeJS.Platform,
    private readonly clock: Clock,
    private readonly run: CommandRunner = runCommand,
  ) {}

  isActive(): boolean {
    if (this.clock.now() - this.checkedAt >= REFRESH_MS) void this.refresh();
    return this.active;
  }

  async refresh(): Promise<boolean> {
    if (this.platform !== 'linux' || this.checking) return this.active;
    this.checking = true;
    try {
      const output = await this.run('gsettings', [
        'get',
        'org.gnome.desktop.notifications',
        'show-banners',
      ]);
      this.active = output.trim() === 'false';
    } catch {
      this.active = false;
    } finally {
      this.checking = false;
      this.checkedAt = this.clock.now();
    }
    return this.active;
  }
}
