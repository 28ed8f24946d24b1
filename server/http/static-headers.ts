import type { RequestHandler } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * The headers a header-only middleware sets, computed once and then copied onto each response.
 * helmet runs fourteen middlewares per request to set the same dozen headers every time (its
 * settings here depend on nothing in the request): 1–2 % of the server's CPU on the message
 * path (bench/RESULTS.md). Throws if the middleware did anything else than set or remove headers
 * synchronously, so a setting that makes it depend on the request cannot slip through unnoticed.
 */
export function staticHeaders(middleware: (req: IncomingMessage, res: ServerResponse, next: (error?: unknown) => void) => void): RequestHandler {
  const set: [string, number | string | readonly string[]][] = [];
  const removed: string[] = [];
  const recorder = {
    setHeader(name: string, value: number | string | readonly string[]) {
      set.push([name, value]);
      return recorder;
    },
    removeHeader(name: string) {
      removed.push(name);
    },
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
    finished = true;
  });
  if (!finished) throw new Error('staticHeaders: the middleware did not finish synchronously');
  return (_req, res, next) => {
    for (const [name, value] of set) res.setHeader(name, value);
    for (const name of removed) res.removeHeader(name);
    next();
  };
}
