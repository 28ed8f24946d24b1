import { pino, type Logger } from 'pino';
import type { Config } from './config.js';

/**
 * Paths whose values never reach a log line: credentials in request headers (as pino-http
 * serialises them), passwords in any logged object, and session tokens.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  '*.password',
  'token',
  '*.token',
];

export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({
    level: config.logLevel,
    base: { service: 'clinicpulse' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}
