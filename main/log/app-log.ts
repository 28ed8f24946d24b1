import { appendFileSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { redactSecrets } from './redact-secrets.js';

export type LogLevel = 'error' | 'warn' | 'info';

export interface AppLogOptions {
  /** `<userData>/logs`. */
  directory: string;
  /** The current file is rotated once it reaches this size. */
  maxBytes?: number;
  /** Rotated files kept: main.1.log (newest) … main.<keep>.log. */
  keep?: number;
  now?: () => number;
}

/**
 * The main process's own log, for the clinic's IT: `main.log` in the user data folder, one line
 * per entry (time, level, what happened), rotated at 1 MB with three older files kept. It holds
 * ids, states and reasons, never tokens or message text (redactSecrets is the net under that).
 * Lines are appended synchronously, so the line before a crash is on disk.
 */
export class AppLog {
  readonly path: string;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly now: () => number;
  private size: number;

  constructor(private readonly options: AppLogOptions) {
    this.maxBytes = options.maxBytes ?? 1_000_000;
    this.keep = options.keep ?? 3;
    this.now = options.now ?? Date.now;
    this.path = join(options.directory, 'main.log');
    try {
      mkdirSync(options.directory, { recursive: true });
    } catch {
      // Created before the app is ready, outside any error handling: a user data folder that
      // cannot be written must not crash the start; the writes below fail quietly instead.
    }
    this.size = sizeOf(this.path);
  }

  write(level: LogLevel, message: string): void {
    const line = `${new Date(this.now()).toISOString()} ${level.toUpperCase()} ${redactSecrets(message).replace(/\r?\n/g, ' ⏎ ')}\n`;
    const bytes = Buffer.byteLength(line);
    if (this.size > 0 && this.size + bytes > this.maxBytes) this.rotate();
    try {
      appendFileSync(this.path, line, { mode: 0o600 });
      this.size += bytes;
    } catch {
      // A full or read-only disk must not take the app down with it; the log is a help, not a duty.
    }
  }

  /** The newest `maxBytes` of the log, across the rotation boundary, for "Copy diagnostics". */
  tail(maxBytes = 64_000): string {
    const files = [this.rotated(1), this.path];
    const text = files.map((file) => readIfExists(file)).join('');
    return text.length > maxBytes ? text.slice(text.length - maxBytes) : text;
  }

  private rotate(): void {
    try {
      rmSync(this.rotated(this.keep), { force: true });
      for (let index = this.keep - 1; index >= 1; index--) {
        if (sizeOf(this.rotated(index)) > 0)
          renameSync(this.rotated(index), this.rotated(index + 1));
      }
      renameSync(this.path, this.rotated(1));
      this.size = 0;
    } catch {
      // Keep appending to the current file; a later write tries again.
    }
  }

  private rotated(index: number): string {
    return join(this.options.directory, `main.${index}.log`);
  }
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

function readIfExists(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
