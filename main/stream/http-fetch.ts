/**
 * The one HTTP function the main process uses: Electron's `net.fetch` in the app (so the
 * system's proxy and certificate settings apply) and Node's `fetch` in tests. Both return a
 * standard Response.
 */
export type HttpFetch = (url: string, init: RequestInit) => Promise<Response>;
