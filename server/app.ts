import express, { type Application } from 'express';
import helmet from 'helmet';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createServerHealthRoutes } from './admin/server-health-routes.js';
import { createSystemNoticeHistoryRoutes } from './admin/system-notice-routes.js';
import { createAuthRoutes, createMeRoutes } from './auth/auth-routes.js';
import { authenticate, requireUser } from './auth/authenticate.js';
import { sameOriginCheck } from './auth/same-origin-check.js';
import type { ServerContext } from './context.js';
import { createEventRoutes } from './events/event-routes.js';
import { createPublishRoutes } from './events/publish-routes.js';
import { createAlertRoutes } from './alerts/alert-routes.js';
import { createAuditRoutes } from './alerts/audit-routes.js';
import { createDutyAndSettingsRoutes } from './alerts/duty-routes.js';
import { createRoleMessageRoutes } from './conversations/role-message-routes.js';
import { createAppointmentChangeRoutes } from './appointments/appointment-change-routes.js';
import { createAppointmentRoutes } from './appointments/appointment-routes.js';
import { createConversationManagementRoutes } from './conversations/conversation-management-routes.js';
import { createConversationRoutes } from './conversations/conversation-routes.js';
import { createMessageChangeRoutes } from './conversations/message-change-routes.js';
import { createDesktopUpdateRoutes } from './desktop-updates/desktop-update-routes.js';
import { createSystemNotificationRoutes } from './notifications/system-notification-routes.js';
import { createTestEventRoutes } from './test-endpoints/test-event-routes.js';
import { corsForAllowedOrigins } from './http/cors.js';
import { requestLog } from './http/request-log.js';
import { staticHeaders } from './http/static-headers.js';
import { readiness, type EventDeliveryState } from './health/readiness.js';
import { createNotificationMarkRoutes } from './inbox/notification-mark-routes.js';
import { createSignOutEverywhereRoutes } from './sessions/sign-out-everywhere-routes.js';
import { createPersonalSettingsRoutes } from './settings/personal-settings-routes.js';
import { createPresenceRoutes } from './presence/presence-routes.js';
import { createSearchRoutes } from './search/search-routes.js';
import { errorHandler, sendError } from './http/errors.js';
import { createAdminUserRoutes, createUserDirectoryRoutes } from './users/user-routes.js';
import { webApp } from './web/web-app.js';

/** The built web UI (`npm run build:renderer`), served when present. */
export const RENDERER_DIST_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'dist',
  'renderer',
);

/**
 * The Express application: security headers, request logs, JSON bodies, sessions, every route,
 * the web UI, and JSON errors. No compression middleware: it would buffer the event stream (the
 * web UI's files are compressed once, at build time).
 */
export interface AppOptions {
  /** Directory of the built web UI; RENDERER_DIST_DIR by default. */
  webRoot?: string;
}

export function createApp(ctx: ServerContext, hub: EventDeliveryState, options: AppOptions = {}): Application {
  const app = express();
  app.disable('x-powered-by');
  // One hop (the clinic's reverse proxy), so X-Forwarded-For cannot be forged past it.
  app.set('trust proxy', ctx.config.trustProxy ? 1 : false);

  // Answers to the API are never cached (Cache-Control below): hashing every body for an ETag is waste.
  app.set('etag', false);

  const securityHeaders = staticHeaders(helmet({
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
  }));
  const httpLogger = requestLog(ctx.logger, (url) => url === '/healthz' || url === '/readyz' || url === '/metrics');
  // Event streams never get here: server/events/event-stream-endpoint.ts answers them first.
  app.use(securityHeaders);
  app.use(httpLogger);

  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/readyz', async (_req, res) => {
    const { ready, checks } = await readiness(ctx, hub);
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'unavailable', checks });
  });
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
  // First of the signed-in routers: sending a message is the hottest request, and each router
  // passed on the way costs a prefix trim and a match per route (no other router has these paths).
  app.use('/api', createConversationRoutes(ctx));
  app.use('/api', createMeRoutes());
  app.use('/api', createUserDirectoryRoutes(ctx));
  app.use('/api', createAdminUserRoutes(ctx));
  app.use('/api', createEventRoutes(ctx));
  app.use('/api', createConversationManagementRoutes(ctx));
  app.use('/api', createMessageChangeRoutes(ctx));
  app.use('/api', createAppointmentRoutes(ctx));
  app.use('/api', createAppointmentChangeRoutes(ctx));
  app.use('/api', createSystemNotificationRoutes(ctx));
  app.use('/api', createSystemNoticeHistoryRoutes(ctx));
  app.use('/api', createServerHealthRoutes(ctx, hub));
  app.use('/api', createNotificationMarkRoutes(ctx));
  app.use('/api', createSignOutEverywhereRoutes(ctx));
  app.use('/api', createPersonalSettingsRoutes(ctx));
  app.use('/api', createSearchRoutes(ctx));
  app.use('/api', createPresenceRoutes(ctx));
  app.use('/api', createDutyAndSettingsRoutes(ctx));
  app.use('/api', createAlertRoutes(ctx));
  app.use('/api', createAuditRoutes(ctx));
  app.use('/api', createRoleMessageRoutes(ctx));
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
