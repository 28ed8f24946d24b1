import { readFile } from 'node:fs/promises';
import { protocol } from 'electron';
import { APP_SCHEME, appFileFor } from './app-files.js';
import { APP_CONTENT_SECURITY_POLICY } from './content-security-policy.js';

/**
 * The renderer bundle is served from `app://clinicpulse/` rather than file://, so the page has
 * a real origin of its own: the CSP's 'self' means the bundle only, and IPC can check it.
 * Must be called before the app is ready.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveAppFiles(rendererDirectory: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = appFileFor(request.url, rendererDirectory);
    if (!file) return new Response('Not found', { status: 404 });
    try {
      const body = await readFile(file.path);
      return new Response(body, {
        headers: {
          'content-type': file.contentType,
          'content-security-policy': APP_CONTENT_SECURITY_POLICY,
          'x-content-type-options': 'nosniff',
        },
      });
    } catch {
      return new Response('Not found', { status: 404 });
    }
  });
}
