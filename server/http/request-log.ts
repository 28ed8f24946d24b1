import type { RequestHandler } from 'express';
import type { Logger } from 'pino';

/**
 * One log line per answered request — id, method, path, status and milliseconds, never a header
 * — at info, warn for a 4xx and error for a 5xx. The line pino-http wrote, without its per-request
 * child logger: building one serialised the request's bindings on every request, logged or not
 * (3–4 % of the server's CPU on the message path, bench/RESULTS.md), and nothing here logs
 * through the request.
 */
export function requestLog(logger: Logger, ignore: (url: string) => boolean): RequestHandler {
  let lastId = 0;
  return (req, res, next) => {
    const url = req.url;
    if (ignore(url)) {
      next();
      return;
    }
    const id = ++lastId;
    const method = req.method;
    const started = Date.now();
    const done = () => {
      res.off('finish', done);
      res.off('close', done);
      const statusCode = res.statusCode;
      const level = statusCode >= 500 ? 'error' : statusCode >= 400 ? 'warn' : 'info';
      if (!logger.isLevelEnabled(level)) return;
      logger[level](
        { req: { id, method, url }, res: { statusCode }, responseTime: Date.now() - started },
        statusCode >= 500 ? 'request errored' : 'request completed',
      );
    };
    res.on('finish', done);
    res.on('close', done);
    next();
  };
}
