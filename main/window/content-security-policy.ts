/**
 * The policy sent with every page of the app's own bundle. The page talks to the server only
 * through the preload bridge, so it needs no network at all: `connect-src 'self'` covers its
 * own files. Inline styles are allowed because React sets `style` attributes; scripts are not.
 */
export const APP_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
].join('; ');
