import { z } from 'zod';

/**
 * Zod compiles fast validators with `new Function`, which the page's Content-Security-Policy
 * forbids (no 'unsafe-eval'); even its probe for that shows up as a CSP violation. Switched off
 * before any schema is built, so this module is imported first.
 */
z.config({ jitless: true });
