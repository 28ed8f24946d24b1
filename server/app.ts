import express, { type Application, type RequestHandler } from 'express';
import helmet from 'helmet';
import { existsSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pinoHttp } from 'pino-http';
import { createAuthRoutes, createMeRoutes } from './auth/auth-routes.js';
import { authenticate, requireUser } from './auth/authenticate.js';
import { sameOriginCheck } from './auth/same-origin-check.js';
import type { ServerContext } from './context.js';
import { createEventRoutes } from './events/event-routes.js';
import { createPublishRoutes } from './events/publish-routes.js';
import { createAppointmentRoutes } from './appointments/appointment-routes.js';
import { createConversationRoutes } from './conversations/conversation-routes.js';
import { createDesktopUpdateRoutes } from './desktop-updates/desktop-update-routes.js';
import { createSystemNotificationRoutes } from './notifications/system-notification-routes.js';
import { createTestEventRoutes } from './test-endpoints/test-event-routes.js';
import { corsForAllowedOrigins } from './http/cors.js';
import { errorHandler, sendError } from './http/errors.js';
import { createAdminUserRoutes, createUserDirectoryRoutes } from './users/user-routes.js';

/** The built web UI (`npm run build:renderer`), served when present. */
export const RENDERER_DIST_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'dist',
  'renderer',
);

const READINESS_TIMEOUT_MS = 1_000;

/**
 * The Express application: security headers, request logs, JSON bodies, sessions, every route,
 * the web UI, and JSON errors. No compression anywhere: it would buffer the event stream.
 */
export interface AppOptions {
  /** Directory of the built web UI; RENDERER_DIST_DIR by default. */
  webRoot?: string;
}

export function createApp(ctx: ServerContext, options: AppOptions = {}): Application {
  const app = express();
  app.disable('x-powered-by');
  // One hop (the clinic's reverse proxy), so X-Forwarded-For cannot be forged past it.
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false);

  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        connectSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        formAction: ["'self'"],
        // Clinics often serve plain HTTP on their LAN; upgrading would break every request.
        upgradeInsecureRequests: null,
      },
    },
  });
  const httpLogger = pinoHttp({
    logger: ctx.logger,
    // Request ids and timing are enough; headers (tokens, cookies) are left out entirely.
    serializers: {
      req: (req: { id: unknown; method: string; url: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customLogLevel: (_req, res, error) =>
      error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info',
    autoLogging: {
      ignore: (req) => req.url === '/healthz' || req.url === '/readyz' || req.url === '/metrics',
    },
  });
  // Event streams never get here: server/events/event-stream-endpoint.ts answers them first.
  app.use(securityHeaders);
  app.use(httpLogger);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', readiness(ctx));
  app.get('/metrics', async (_req, res) => {
    res.type(ctx.metrics.registry.contentType).send(await ctx.metrics.registry.metrics());
  });

  app.use(express.json({ limit: '64kb' }));

  // Answers carry patient data: no browser, proxy or Chromium disk cache may keep them.
  app.use('/api', (_req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  app.use('/api', corsForAllowedOrigins(ctx.config.corsOrigins));
  app.use('/api', sameOriginCheck(ctx.config.corsOrigins));
  app.use('/api', authenticate(ctx.sessions));
  app.use('/api', createAuthRoutes(ctx));
  // Another backend's publishing: its own token, not a session.
  app.use('/api', createPublishRoutes(ctx));
  // Everything below needs a signed-in user; routers may still check roles themselves.
  app.use('/api', requireUser);
  app.use('/api', createMeRoutes());
  app.use('/api', createUserDirectoryRoutes(ctx));
  app.use('/api', createAdminUserRoutes(ctx));
  app.use('/api', createEventRoutes(ctx));
  app.use('/api', createConversationRoutes(ctx));
  app.use('/api', createAppointmentRoutes(ctx));
  app.use('/api', createSystemNotificationRoutes(ctx));
  if (ctx.config.testEndpoints) app.use('/api', createTestEventRoutes(ctx));
  app.use('/api', (req, res) =>
    sendError(res, 404, 'not_found', `no such endpoint: ${req.method} ${req.baseUrl}${req.path}`),
  );

  app.use('/desktop-updates', createDesktopUpdateRoutes(ctx));
  if (ctx.config.nodeEnv === 'production') {
    // The source map would hand anyone the whole client source; it is for development.
    app.use((req, res, next) => (req.path.endsWith('.map') ? sendError(res, 404, 'not_found', 'not found') : next()));
  }
  app.use(webApp(options.webRoot ?? RENDERER_DIST_DIR));
  app.use(errorHandler(ctx.logger));
  return app;
}

function readiness(ctx: ServerContext): RequestHandler {
  return async (_req, res) => {
    const checks = await Promise.all([
      check(async () => {
        const reply = await withTimeout(ctx.redis.ping(), READINESS_TIMEOUT_MS);
        if (reply !== 'PONG') throw new Error(`unexpected PING reply ${reply}`);
      }),
      check(async () => {
        ctx.db.prepare('SELECT 1 FROM schema_migrations LIMIT 1').get();
      }),
    ]);
    const [redis, database] = checks;
    const ready = checks.every((result) => result === 'ok');
    res
      .status(ready ? 200 : 503)
      .json({ status: ready ? 'ready' : 'unavailable', checks: { redis, database } });
  };
}

async function check(probe: () => Promise<void>): Promise<string> {
  try {
    await probe();
    return 'ok';
  } catch (error) {
    return (error as Error).message || 'failed';
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The React app and its client-side routes: a GET outside /api for a path without a file
 * extension falls back to index.html; a missing file (say an old asset) stays a 404.
 */
function webApp(root: string): express.Router {
  const router = express.Router();
  const index = join(root, 'index.html');
  router.use(express.static(root, { index: false, maxAge: '1h' }));
  router.get(/.*/, (req, res) => {
    if (extname(req.path) !== '') {
      res.status(404).type('text/plain').send('Not found\n');
    } else if (existsSync(index)) {
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
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
