import express, { type Request, type Response } from 'express';
import { statSync } from 'node:fs';
import { extname, join, normalize, resolve, sep } from 'node:path';

/** A file name with a content hash (Vite's `index-BmQ2x9aZ.js`): it never changes under that name. */
const HASHED_NAME = /-[A-Za-z0-9_-]{8,}\.[a-z0-9]+(?:\.map)?$/i;

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Anything else (a favicon, a file without a hash) may change at the next deployment. */
const SHORT = 'public, max-age=3600';
/** The page names the current hashed files: the browser revalidates it on every load. */
const REVALIDATE = 'no-cache';

/** Precompressed copies written by the build (renderer/vite.config.ts), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** The file under `root` that a URL path names, or null when it would leave `root`. */
function fileUnder(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const path = normalize(join(root, decoded));
  return path.startsWith(root.endsWith(sep) ? root : root + sep) ? path : null;
}

/**
 * Sends one built file: its brotli or gzip copy when the browser accepts one and the build made
 * it (never compressed on the fly, which would cost CPU on every request), with caching by kind.
 */
function sendBuilt(req: Request, res: Response, path: string, cacheControl: string): void {
  const available = ENCODINGS.filter((encoding) => isFile(path + encoding.suffix));
  // Ours first (brotli is smaller), among those the browser accepts; browsers list them equally.
  const encoding = available.find(
    (candidate) => req.acceptsEncodings(candidate.name) === candidate.name,
  );
  // The type of the original, not of the .br or .gz beside it.
  res.type(extname(path));
  res.setHeader('Cache-Control', cacheControl);
  if (available.length > 0) res.vary('Accept-Encoding');
  if (encoding) res.setHeader('Content-Encoding', encoding.name);
  res.sendFile(encoding ? path + encoding.suffix : path, { cacheControl: false, dotfiles: 'deny' });
}

/**
 * The built React app (`npm run build:renderer`): hashed assets cached for a year as immutable,
 * `index.html` revalidated on every load, each sent precompressed when the browser accepts it.
 * A GET outside /api for a path without a file extension falls back to index.html (client-side
 * routes); a missing file (say an old asset) stays a 404.
 */
export function webApp(webRoot: string): express.Router {
  const router = express.Router();
  const root = resolve(webRoot);
  const index = join(root, 'index.html');
  router.get(/.*/, (req, res) => {
    const file = fileUnder(root, req.path);
    if (file && req.path !== '/' && isFile(file)) {
      const cacheControl = file === index ? REVALIDATE : HASHED_NAME.test(file) ? IMMUTABLE : SHORT;
      sendBuilt(req, res, file, cacheControl);
    } else if (extname(req.path) !== '') {
      res.status(404).type('text/plain').send('Not found\n');
    } else if (isFile(index)) {
      sendBuilt(req, res, index, REVALIDATE);
    } else {
      res
        .status(404)
        .type('text/plain')
        .send(
          'The web UI is not built yet: run `npm run build:renderer` (npm start does it for you).\n',
        );
    }
  });
  return router;
}
