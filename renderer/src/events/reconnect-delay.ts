const FIRST_DELAY_MS = 1_000;
const MAX_DELAY_MS = 30_000;

/**
 * Exponential backoff with jitter: 1 s, 2 s, 4 s … up to 30 s, each scaled into [50 %, 100 %] so
 * that a whole clinic's desks do not reconnect in the same instant after a server restart.
 */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}

const FIRST_PROBE_MS = 250;
const MAX_PROBE_MS = 1_500;

/**
 * How long to wait before the next `/healthz` probe while the server cannot be reached: 250 ms,
 * 500 ms, 1 s, then 1.5 s for as long as it lasts, each scaled into [50 %, 100 %]. Never more
 * than 1.5 s, so a desk reconnects within about 2 s of the server's return however long the
 * outage was; the jitter spreads a clinic's desks over that window instead of one instant.
 */
export function probeDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_PROBE_MS, FIRST_PROBE_MS * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}
