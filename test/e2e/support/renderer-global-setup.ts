import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'vite';

const ROOT = join(import.meta.dirname, '..', '..', '..');
const DIST_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');
const SOURCES = ['renderer', 'common'].map((folder) => join(ROOT, folder));

function newestMtime(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestMtime(join(path, name))));
}

/**
 * The e2e project's global setup. The server serves the web app from dist/renderer; the browser
 * tests need it built from the sources as they are now, and built once before any of them starts:
 * they run side by side, and a build empties dist/renderer while another file's server serves it.
 * Builds only when a source file is newer than the last build.
 */
export default async function buildRendererOnce(): Promise<void> {
  if (
    existsSync(DIST_INDEX) &&
    statSync(DIST_INDEX).mtimeMs >= Math.max(...SOURCES.map(newestMtime))
  )
    return;
  await build({
    configFile: join(ROOT, 'renderer', 'vite.config.ts'),
    root: join(ROOT, 'renderer'),
    logLevel: 'error',
  });
}
