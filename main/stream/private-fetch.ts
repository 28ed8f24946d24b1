import type { HttpFetch } from './http-fetch.js';

/**
 * The Electron session every API call and the event stream go through. A partition name
 * without the `persist:` prefix lives in memory only, and it is opened with its cache off: the
 * sign-in answer's `session` cookie and message text never reach the profile on disk, while
 * Chromium's network stack (system proxy, OS certificates) still carries the requests.
 */
export const API_PARTITION = 'clinicpulse-api';
export const API_PARTITION_OPTIONS = { cache: false } as const;

/**
 * The app authenticates with its bearer token, never with cookies, so none is sent or stored
 * (`credentials: 'omit'` also drops a `Set-Cookie` answer), and no answer is cached.
 */
export function privateFetch(fetchOnSession: SessionFetch): HttpFetch {
  return (url, init) => fetchOnSession(url, { ...init, credentials: 'omit', cache: 'no-store' });
}

/** Electron's `Session.fetch`; Node's RequestInit type lacks the standard `cache` field. */
export type SessionFetch = (
  url: string,
  init: RequestInit & { cache: 'no-store'; credentials: 'omit' },
) => Promise<Response>;
