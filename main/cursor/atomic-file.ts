import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/**
 * Replaces a file so that a crash or power cut leaves either the old or the new content, never
 * a torn mix: write a temporary file beside it, flush it to disk, rename it over the target,
 * then flush the directory so the rename itself survives.
 */
export async function writeFileAtomic(
  path: string,
  content: string | Uint8Array,
  mode = 0o600,
  replace: RenameFile = rename,
): Promise<void> {
  const directory = dirname(path);
  await mkdir(directory, { recursive: true });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const file = await open(temporary, 'w', mode);
  try {
    await file.writeFile(content);
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await renameWithRetry(temporary, path, replace);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(directory);
}

export type RenameFile = (from: string, to: string) => Promise<void>;

/**
 * How the main process replaces one of its state files (cursor, pending receipts):
 * `writeFileAtomic` in the app; a test or the benchmark wraps it to count the writes.
 */
export type DurableWrite = (path: string, content: string) => Promise<void>;

/** Errors Windows reports while another process (antivirus, backup, indexer) holds the target. */
const TRANSIENT_RENAME_ERRORS = new Set(['EPERM', 'EACCES', 'EBUSY']);
const RENAME_RETRY_DELAYS_MS = [10, 20, 40, 80, 160, 320, 640];

/**
 * On Windows a scanner that opens the file just written makes `rename` over it fail for a
 * moment with EPERM/EACCES/EBUSY; retrying for about a second and a half rides it out, as
 * graceful-fs and npm's write-file-atomic do. Anything else, or a hold that lasts, is thrown.
 */
export async function renameWithRetry(
  from: string,
  to: string,
  replace: RenameFile = rename,
): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await replace(from, to);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? '';
      const delay = RENAME_RETRY_DELAYS_MS[attempt];
      if (!TRANSIENT_RENAME_ERRORS.has(code) || delay === undefined) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

/** The file's text, or undefined when it does not exist. */
export async function readFileIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

async function syncDirectory(directory: string): Promise<void> {
  // Windows cannot open a directory for syncing; NTFS journals the rename itself.
  if (process.platform === 'win32') return;
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
