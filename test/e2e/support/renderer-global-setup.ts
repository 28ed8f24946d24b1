import { join } from 'node:path';
import { build } from 'vite';
import { rendererBuildIsStale } from '../../../scripts/renderer-build-freshness.js';

const ROOT = join(import.meta.dirname, '..', '..', '..');

/**
 * The e2e project's global setup. The server serves the web app from dist/renderer; the browser
 * tests need it built from the sources as they are now, and built once before any of them starts:
 * they run side by side, and a build empties dist/renderer while another file's server serves it.
 */
export default async function buildRendererOnce(): Promise<void> {
  if (!rendererBuildIsStale(ROOT)) return;
  await build({
    configFile: join(ROOT, 'renderer', 'vite.config.ts'),
    root: join(ROOT, 'renderer'),
    logLevel: 'error',
  });
}
