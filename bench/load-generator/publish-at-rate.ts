import { performance } from 'node:perf_hooks';

export interface RateResult {
  sent: number;
  failed: number;
  /** Events handed to the publish path per second over the whole phase. */
  achievedRate: number;
  /** Publishes still unanswered when the phase ended (0 unless the system fell behind). */
  unansweredAtEnd: number;
}

/** Publishes still waiting for an answer above which the generator stops adding more. */
const MAX_IN_FLIGHT = 20_000;

/**
 * Calls `publish(n)` for n = 0, 1, 2, … at `rate` per second for `durationMs`, on a 1 ms timer
 * (each tick sends what is due), and waits for the answers (bounded by `settleMs`).
 */
export async function publishAtRate(
  rate: number,
  durationMs: number,
  publish: (n: number) => Promise<void>,
  settleMs = 10_000,
): Promise<RateResult> {
  let sent = 0;
  let failed = 0;
  let inFlight = 0;
  const started = performance.now();
  const total = Math.round((rate * durationMs) / 1000);
  while (sent < total) {
    const elapsed = performance.now() - started;
    if (elapsed > durationMs * 2) break;
    const due = Math.min(total, Math.floor((elapsed * rate) / 1000) + 1);
    while (sent < due && inFlight < MAX_IN_FLIGHT) {
      inFlight++;
      publish(sent++).then(
        () => inFlight--,
        () => {
          inFlight--;
          failed++;
        },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  const sendSeconds = (performance.now() - started) / 1000;
  const deadline = performance.now() + settleMs;
  while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  return { sent, failed, achievedRate: sent / sendSeconds, unansweredAtEnd: inFlight };
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
