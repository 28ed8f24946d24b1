import express from 'express';
import { join } from 'node:path';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { sendError } from '../http/errors.js';

/** What electron-builder puts in release/: update feeds, installers and their blockmaps. */
const releaseFileName = z
  .string()
  .max(200)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._ +-]*\.(yml|exe|blockmap|dmg|zip|deb|rpm)$/);

export function desktopUpdatesDirectory(dataDir: string): string {
  return join(dataDir, 'desktop-updates');
}

/**
 * `GET /desktop-updates/<file>`: the desktop app's update feed, the files IT copied from a
 * release build into `DATA_DIR/desktop-updates/`. No session: the updater has none, and
 * installers are not secret. Only release file names in that one folder are answered (no
 * listing, no sub-folders, no dot files); the feed files are revalidated on every check so a
 * new release is seen at once, installers may be cached.
 */
export function createDesktopUpdateRoutes(ctx: ServerContext): express.Router {
  const router = express.Router();
  const root = desktopUpdatesDirectory(ctx.config.dataDir);
  router.get('/:file', (req, res) => {
    const name = releaseFileName.safeParse(req.params.file);
    if (!name.success) {
      sendError(res, 404, 'not_found', 'no such release file');
      return;
    }
    const feed = name.data.endsWith('.yml');
    res.sendFile(
      name.data,
      {
        root,
        dotfiles: 'deny',
        headers: {
          'Cache-Control': feed ? 'no-cache' : 'public, max-age=3600',
          'X-Content-Type-Options': 'nosniff',
          ...(feed ? { 'Content-Type': 'text/yaml; charset=utf-8' } : {}),
        },
      },
      (error) => {
        if (error && !res.headersSent)
          sendError(res, 404, 'not_found', `no release file ${name.data} on this server`);
      },
    );
  });
  router.use((_req, res) => sendError(res, 404, 'not_found', 'no such release file'));
  return router;
}
