import type { Clock, TimerHandle } from '../clock.js';

/** The part of electron-updater's AppUpdater this uses (its `autoUpdater` in the app). */
export interface Updater {
  autoDownload: boolean;
  autoInstallOnAppQuit: boolean;
  allowDowngrade: boolean;
  setFeedURL(options: { provider: 'generic'; url: string }): void;
  checkForUpdates(): Promise<{
    isUpdateAvailable: boolean;
    updateInfo: { version: string };
    downloadPromise?: Promise<unknown> | null;
  } | null>;
  on(event: 'update-downloaded', listener: (info: { version: string }) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  quitAndInstall(isSilent?: boolean, isForceRunAfter?: boolean): void;
}

export type UpdateStatus =
  | { status: 'off'; detail: string }
  | { status: 'idle'; checkedAt: number | null; latest: string | null }
  | { status: 'downloading'; version: string }
  | { status: 'ready'; version: string }
  | { status: 'failed'; detail: string };

export interface DeskUpdaterOptions {
  updater: Updater;
  /** The folder of release files IT serves (`latest.yml`…), or null: updates are off. */
  feedUrl: string | null;
  clock: Clock;
  /** An urgent pop-up is on screen: restarting now would take it away. */
  urgentAlertOnScreen(): boolean;
  onStatus?(status: UpdateStatus): void;
  log?(level: 'info' | 'warn', message: string): void;
  intervalMs?: number;
}

export const DAILY_MS = 24 * 60 * 60 * 1000;

/**
 * IT-pushed updates: electron-updater with a generic provider at the clinic's own URL. It checks
 * at start and then daily, downloads in the background and installs when the app quits. It
 * never restarts the app by itself; "Restart to update" waits while an urgent alert is on screen.
 */
export class DeskUpdater {
  private current: UpdateStatus;
  private timer: TimerHandle | undefined;
  private checking: Promise<void> | undefined;

  constructor(private readonly options: DeskUpdaterOptions) {
    this.current = options.feedUrl
      ? { status: 'idle', checkedAt: null, latest: null }
      : {
          status: 'off',
          detail: 'no update URL is set (CLINICPULSE_UPDATE_URL or updateUrl in app-config.json)',
        };
    const { updater } = options;
    updater.autoDownload = true;
    updater.autoInstallOnAppQuit = true;
    // A clinic that rolls a release back must not be moved "forward" to an older build by a feed mistake.
    updater.allowDowngrade = false;
    updater.on('update-downloaded', (info) => {
      this.options.log?.(
        'info',
        `update ${info.version} downloaded; it installs when ClinicPulse quits`,
      );
      this.setStatus({ status: 'ready', version: info.version });
    });
    updater.on('error', (error) => {
      this.options.log?.('warn', `update failed: ${error.message}`);
      if (this.current.status !== 'ready')
        this.setStatus({ status: 'failed', detail: error.message });
    });
    if (options.feedUrl) updater.setFeedURL({ provider: 'generic', url: options.feedUrl });
  }

  get status(): UpdateStatus {
    return this.current;
  }

  /** Checks now, then every day. */
  start(): void {
    if (!this.options.feedUrl) {
      this.options.log?.('info', `updates are off: ${(this.current as { detail: string }).detail}`);
      return;
    }
    void this.checkNow();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One check at a time; the next daily check is planned from the end of this one. */
  checkNow(): Promise<void> {
    if (!this.options.feedUrl) return Promise.resolve();
    this.checking ??= this.check().finally(() => {
      this.checking = undefined;
      this.timer?.cancel();
      this.timer = this.options.clock.setTimeout(
        () => void this.checkNow(),
        this.options.intervalMs ?? DAILY_MS,
      );
    });
    return this.checking;
  }

  /** The tray's "Restart to update": never while an urgent alert is on screen. */
  restartToInstall(): 'restarting' | 'waiting_for_urgent_alert' | 'nothing_to_install' {
    if (this.current.status !== 'ready') return 'nothing_to_install';
    if (this.options.urgentAlertOnScreen()) return 'waiting_for_urgent_alert';
    this.options.updater.quitAndInstall(false, true);
    return 'restarting';
  }

  private async check(): Promise<void> {
    if (this.current.status === 'ready' || this.current.status === 'downloading') return;
    try {
      const result = await this.options.updater.checkForUpdates();
      // A failed download is reported through the `error` event; the promise must not also
      // end as an unhandled rejection in the main process.
      result?.downloadPromise?.catch(() => undefined);
      if (result?.isUpdateAvailable) {
        this.options.log?.('info', `update ${result.updateInfo.version} found; downloading`);
        // The download may already have finished while the check was answered.
        if ((this.current as UpdateStatus).status !== 'ready')
          this.setStatus({ status: 'downloading', version: result.updateInfo.version });
      } else {
        this.setStatus({
          status: 'idle',
          checkedAt: this.options.clock.now(),
          latest: result?.updateInfo.version ?? null,
        });
      }
    } catch (error) {
      const detail = error instanceof Error ? error.message : String(error);
      this.options.log?.('warn', `update check failed: ${detail}`);
      this.setStatus({ status: 'failed', detail });
    }
  }

  private setStatus(status: UpdateStatus): void {
    this.current = status;
    this.options.onStatus?.(status);
  }
}
