import { join } from 'node:path';

/**
 * Event ids are per user and per server, so each (server, user) pair on a desk has its own
 * cursor file. Signing out keeps it: the next sign-in resumes and repeats no pop-up.
 */
export function cursorPath(dataDirectory: string, serverUrl: string, userId: number): string {
  const server = new URL(serverUrl).host.replace(/[^A-Za-z0-9.-]/g, '_');
  return join(dataDirectory, 'cursors', `${server}-user-${userId}.json`);
}
