import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What the web app is built from: its own sources and the protocol it shares. */
const SOURCE_FOLDERS = ['renderer', 'common'];

function newestModification(path: string): number {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  let newest = stats.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, newestModification(join(path, entry)));
  }
  return newest;
}

/** Whether dist/renderer is missing or older than a source it is built from. */
export function rendererBuildIsStale(root: string): boolean {
  const index = join(root, 'dist', 'renderer', 'index.html');
  if (!existsSync(index)) return true;
  const newestSource = Math.max(
    ...SOURCE_FOLDERS.map((folder) => newestModification(join(root, folder))),
  );
  return statSync(index).mtimeMs < newestSource;
}
